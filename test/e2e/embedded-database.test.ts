/**
 * The local stage's embedded PostgreSQL through the real binary: `cnf-admin
 * db`, its managed URL, concurrent clients, and a server that belongs to its
 * project (a reset `.cnf/`, a killed server, a copied project, a corrupted
 * state file).
 */
import { isAlive as isProcessAlive } from '../../lib/platform/local/postmaster-pid.js';
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedDatabaseStatus } from '../../lib/core/platform-capabilities.js';
import { databaseFiles } from '../../lib/platform/local/database-state.js';
import { stopEmbeddedDatabase } from '../../lib/platform/local/embedded-database.js';
import { localPaths } from '../../lib/platform/local/local-paths.js';
import { CLI_BIN, cliEnvironment, type CliResult, finished, outputShows, REPO_ROOT, runCli, spawnCli } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;
let fixture: TestProject;

beforeAll(() => {
  project = createTestProject('notes');
  fixture = createTestProject('tasks');
});

afterAll(async () => {
  await project.cleanup();
  await fixture.cleanup();
});

async function statusOf(dir: string): Promise<EmbeddedDatabaseStatus> {
  const result = await runCli(['db', 'status', '--json'], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as EmbeddedDatabaseStatus;
}

/* A process that ended counts as gone, even before init reaps it (a zombie): lib's check says so. */
const isAlive = isProcessAlive;

/** Waits for a process to end (the event), failing after `timeoutMs`. */
async function exitOf(pid: number, timeoutMs: number): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > giveUpAt) throw new Error(`process ${pid} still runs after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The embedded database's files in the project at `dir`. */
function databaseFilesOf(dir: string): ReturnType<typeof databaseFiles> {
  return databaseFiles(localPaths({ stateDir: join(dir, '.cnf') }));
}

/** Waits for the database server's log to hold `text` (the event), failing after `timeoutMs`. */
async function logLine(dir: string, text: string, timeoutMs: number): Promise<void> {
  const { log } = databaseFilesOf(dir);
  const giveUpAt = Date.now() + timeoutMs;
  const holds = (): boolean => {
    try {
      return readFileSync(log, 'utf8').includes(text);
    } catch {
      return false;
    }
  };
  while (!holds()) {
    if (Date.now() > giveUpAt) throw new Error(`${log} does not say "${text}" after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function expectOneLineError(result: CliResult, code: number, text: string): void {
  expect(result.code).toBe(code);
  expect(result.stderr).toContain(text);
  expect(result.stderr).not.toMatch(/\n\s+at |wasm|RuntimeError/);
  // The message and its hint; notices (`! ...`) and progress (`· ...`) before it are not part of the error.
  const lines = result.stderr
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('! ') && !line.startsWith('· '));
  expect(lines.length).toBeLessThanOrEqual(2);
}

async function noteCount(url: string): Promise<number> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<{ n: number }>('select count(*)::int as n from notes')).rows[0]?.n ?? -1;
  } finally {
    await client.end();
  }
}

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`), types `answer`
 * once it has asked, and collects what the terminal showed.
 */
function atTerminal(dir: string, args: readonly string[], answer: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI_BIN, ...args].map((word) => `'${word}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: dir, env: cliEnvironment(), stdio: 'pipe' });
  let output = '';
  let answered = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    if (!answered && output.includes('[y/N]')) {
      answered = true;
      child.stdin.write(`${answer}\n`);
    }
  });
  return new Promise((resolve) =>
    child.once('close', (code) => {
      child.stdin.end();
      resolve({ code, output });
    }),
  );
}

describe('cnf-admin db', () => {
  it('shows a database that has not started, and starts none', async () => {
    const status = await statusOf(project.dir);
    expect(status).toMatchObject({ running: false, sizeBytes: 0 });
    expect(status.dataDir).toMatch(/\.cnf\/local\/database\/postgres$/);
  });

  it('prints the URL, starting the database; the parameter set holds the same URL, managed', async () => {
    const url = await project.cli(['db', 'url']);
    expect(url.code, url.stderr).toBe(0);
    expect(url.stdout).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\n$/);
    expect(url.stderr).toContain('Starting the embedded PostgreSQL');

    const status = await statusOf(project.dir);
    expect(status).toMatchObject({ running: true, url: url.stdout.trim() });
    expect(status.version).toMatch(/^18\./);
    expect(status.sizeBytes).toBeGreaterThan(0);
    expect(isAlive(status.pid ?? 0) && isAlive(status.postgresPid ?? 0)).toBe(true);

    const get = await project.cli(['config', 'get', 'DATABASE_URL']);
    expect(get.code).toBe(0);
    expect(get.stdout.trim()).toBe(url.stdout.trim());
    expect(get.stderr).toContain('DATABASE_URL is managed by cnf-admin');
  });

  it('refuses config set and unset of the managed URL on the local stage, and does not suggest it', async () => {
    expectOneLineError(await project.cli(['config', 'set', 'DATABASE_URL', 'postgres://elsewhere/db']), 64, 'cnf-admin manages it');
    // Refused before the value is looked at: no warning that a secure value is now in the shell's history.
    const secure = await project.cli(['config', 'set', 'DATABASE_URL', '--secure', 'postgres://elsewhere/db-secret']);
    expectOneLineError(secure, 64, 'cnf-admin manages it');
    expect(secure.stderr).not.toContain('history');
    expectOneLineError(await project.cli(['config', 'unset', 'DATABASE_URL']), 64, 'cnf-admin db url');
    const help = await project.cli(['config', 'set', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).not.toContain('DATABASE_URL');
    const runs = await project.cli(['invoke', 'migrate']);
    expect(runs.code, runs.stderr).toBe(0);
  });

  it('is for the local stage with a database only', async () => {
    expectOneLineError(await project.cli(['db', 'status', '--stage', 'prod']), 64, 'stage prod is on AWS');
    expectOneLineError(await fixture.cli(['db', 'url']), 64, 'has no embedded database');
    expectOneLineError(await fixture.cli(['db', 'start']), 64, 'has no embedded database');
  });

  it('resets only when confirmed: --yes when stdin is not a terminal', async () => {
    expect((await project.cli(['invoke', 'seed', '--', '--count', '2'])).code).toBe(0);
    const refused = await project.cli(['db', 'reset']);
    expectOneLineError(refused, 64, 'cnf-admin: db reset deletes every table and row of the embedded database; confirm it with --yes.');
    const url = (await statusOf(project.dir)).url ?? '';
    expect(await noteCount(url)).toBe(2);

    const reset = await project.cli(['db', 'reset', '--yes']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(await statusOf(project.dir)).toMatchObject({ running: false, sizeBytes: 0, url });
    const migrate = await project.cli(['invoke', 'migrate']);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('2 pending migration(s)');
    expect(await noteCount(url)).toBe(0);
  });

  it('asks at a terminal, and deletes only when told yes', async () => {
    expect((await project.cli(['invoke', 'seed', '--', '--count', '1'])).code).toBe(0);
    const url = (await statusOf(project.dir)).url ?? '';
    const declined = await atTerminal(project.dir, ['db', 'reset'], 'no');
    expect(declined.code).toBe(0);
    expect(declined.output).toContain('Delete all data of the embedded PostgreSQL');
    expect(declined.output).toContain('Nothing deleted.');
    expect(await noteCount(url)).toBe(1);

    const confirmed = await atTerminal(project.dir, ['db', 'reset'], 'yes');
    expect(confirmed.code).toBe(0);
    expect(confirmed.output).toContain('Deleted the embedded database');
    expect(await statusOf(project.dir)).toMatchObject({ running: false, sizeBytes: 0 });
    expect((await project.cli(['invoke', 'migrate'])).code).toBe(0);

    // y is a yes, as at every [y/N] prompt
    expect((await project.cli(['invoke', 'seed', '--', '--count', '1'])).code).toBe(0);
    const short = await atTerminal(project.dir, ['db', 'reset'], 'y');
    expect(short.code).toBe(0);
    expect(short.output).toContain('Deleted the embedded database');
    expect(short.output).not.toContain('Nothing deleted');
    expect((await project.cli(['invoke', 'migrate'])).code).toBe(0);
  });

  it('stops on request, and says the same full version of PostgreSQL stopped as running, in text and JSON', async () => {
    const { pid, postgresPid, version } = await statusOf(project.dir);
    expect(version).toMatch(/^\d+\.\d+$/);
    const stop = await project.cli(['db', 'stop']);
    expect(stop.code).toBe(0);
    expect(stop.stderr).toContain('Stopped the embedded PostgreSQL.');
    expect(isAlive(pid ?? 0) || isAlive(postgresPid ?? 0)).toBe(false);
    expect(await statusOf(project.dir)).toMatchObject({ running: false, version });
    expect((await project.cli(['db', 'status'])).stdout).toMatch(new RegExp(`^PostgreSQL ${version}: not running`));
    expect((await project.cli(['db', 'stop'])).stderr).toContain('was not running');
  });

  it('starts on request, once: a second start finds it serving and starts nothing', async () => {
    const started = await project.cli(['db', 'start']);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toContain('Started the embedded PostgreSQL');
    const status = await statusOf(project.dir);
    expect(status.running).toBe(true);
    expect(started.stderr).toContain(`The embedded PostgreSQL serves at ${status.url}`);
    const again = await project.cli(['db', 'start', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ url: status.url });
    expect(again.stderr).not.toContain('Starting');
    expect((await statusOf(project.dir)).pid).toBe(status.pid);
  });
});

describe('concurrent clients', () => {
  it('keeps no value a query sent in its log, which only its owner may read: an error, its detail and its statement go to the client alone, and what a task raises at LOG level nowhere', async () => {
    const url = (await project.cli(['db', 'url'])).stdout.trim();
    const value = 'sekret-in-a-query-7f3a';
    const client = new pg.Client(url);
    await client.connect();
    try {
      await client.query('create table if not exists log_probe (name text unique)');
      await client.query('insert into log_probe values ($1)', [value]);
      // A backend writes its log line before it answers the client: by the time each query fails, its line is written.
      await expect(client.query('insert into log_probe values ($1)', [value])).rejects.toThrow('duplicate key');
      await expect(client.query(`selec '${value}'`)).rejects.toThrow('syntax error');
      await expect(client.query(`select '${value}'::int`)).rejects.toThrow('invalid input syntax');
      // What a task raises at LOG level goes to the server's log alone (the client's minimum is NOTICE).
      await client.query(`do $$ begin raise log 'raised %', '${value}'; end $$`);
    } finally {
      await client.end();
    }
    const { log } = databaseFilesOf(project.dir);
    expect(readFileSync(log, 'utf8')).not.toContain(value);
    expect(readFileSync(log, 'utf8')).toMatch(/serving .* on 127\.0\.0\.1:\d+ \(PostgreSQL /);
    expect(statSync(log).mode & 0o777).toBe(0o600);
  });

  it('cancels the query of a client killed mid-way within seconds, and its transaction with the locks it held', async () => {
    const url = (await project.cli(['db', 'url'])).stdout.trim();
    const client = new pg.Client(url);
    await client.connect();
    try {
      await client.query('create table if not exists kill_probe (id int)');
      // A client that takes a lock and runs a long query, as a migration killed with kill -9 would be.
      const script = [
        "const pg = require('pg');",
        `const client = new pg.Client(${JSON.stringify(url)});`,
        "client.connect().then(async () => { await client.query('begin'); await client.query('lock table kill_probe in access exclusive mode');",
        "console.log('locked'); await client.query('select pg_sleep(120)'); });",
      ].join('\n');
      const holder = spawn(process.execPath, ['-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const gone = new Promise((resolve) => holder.once('exit', resolve));
      await outputShows(holder, 'locked');
      // Once its sleep runs, it is killed with no chance to say goodbye.
      while (
        (await client.query("select 1 from pg_stat_activity where query = 'select pg_sleep(120)' and state = 'active'")).rowCount === 0
      );
      holder.kill('SIGKILL');
      await gone;
      // Not cancelled, the lock would be held for two minutes: the wait would fail at its timeout first.
      await client.query("set lock_timeout = '50s'");
      await client.query('begin');
      await client.query('lock table kill_probe in access exclusive mode');
      await client.query('rollback');
    } finally {
      await client.end();
    }
  });

  it('a migration whose session the server ends fails saying the connection was lost and that it applies whole or not at all, not that the client is not queryable', async () => {
    const slow = join(project.dir, 'lambda', 'migrations', '0099_slow.sql');
    writeFileSync(slow, 'SELECT pg_sleep(60);\n');
    const url = (await project.cli(['db', 'url'])).stdout.trim();
    const client = new pg.Client(url);
    await client.connect();
    try {
      const migrate = spawnCli(['invoke', 'migrate'], { cwd: project.dir });
      const ended = finished(migrate);
      await outputShows(migrate, 'Applying 0099_slow');
      const sleeping = "select pid from pg_stat_activity where query like 'SELECT pg_sleep(60)%' and state = 'active'";
      while ((await client.query(sleeping)).rowCount === 0);
      // As a server that stops, or an operator, ends the session (SQLSTATE 57P01).
      await client.query(`select pg_terminate_backend(pid) from (${sleeping}) as s`);
      const result = await ended;
      const said = result.stdout + result.stderr;
      expect(result.code).toBe(1);
      expect(said).toContain('Migration 0099_slow failed: terminating connection due to administrator command');
      expect(said).toContain('The connection to the database was lost while it ran');
      expect(said).toContain('the migration and its record were applied together or not at all');
      expect(said).not.toContain('not queryable');
      expect((await client.query("select 1 from schema_migrations where name = '0099_slow'")).rowCount).toBe(0);
    } finally {
      rmSync(slow);
      await client.end();
    }
  });

  it('never get wrong rows or a stuck queue: prepared statements interleave, and one client idles in a transaction', async () => {
    const url = (await project.cli(['db', 'url'])).stdout.trim();
    const clients = await Promise.all(
      Array.from({ length: 7 }, async () => {
        const client = new pg.Client(url);
        await client.connect();
        return client;
      }),
    );
    const [holder, ...others] = clients as [pg.Client, ...pg.Client[]];
    try {
      // One client opens a transaction, writes, and then sits idle in it.
      await holder.query('BEGIN');
      await holder.query("insert into notes (title, body) values ('uncommitted', 'held open')");

      const work = others.map(async (client, index) => {
        for (let round = 0; round < 40; round += 1) {
          // The extended protocol, with the unnamed statement and with a named one
          // that every client prepares under the same name with other text.
          const echo = await client.query<{ n: number; who: number }>('select $1::int as n, $2::int as who', [round, index]);
          expect(echo.rows).toEqual([{ n: round, who: index }]);
          const named = await client.query<{ tag: string }>({
            name: 'same-name',
            text: `select $1::text || '-${index}' as tag`,
            values: [String(round)],
          });
          expect(named.rows).toEqual([{ tag: `${round}-${index}` }]);
          if (round % 10 === 0) {
            await client.query('BEGIN');
            await client.query("insert into notes (title, body) values ($1, 'concurrent')", [`c${index}-${round}`]);
            await client.query('COMMIT');
          }
        }
        // Isolation: the idle transaction's row is invisible to everyone else.
        return (await client.query<{ n: number }>("select count(*)::int as n from notes where title = 'uncommitted'")).rows[0]?.n;
      });
      const bounded = new Promise<never>((_resolve, reject) =>
        setTimeout(() => reject(new Error('the queue got stuck behind the idle transaction')), 30_000).unref(),
      );
      const seen = await Promise.race([Promise.all(work), bounded]);
      expect(seen).toEqual(others.map(() => 0));

      await holder.query('COMMIT');
      const count = await others[0]?.query<{ n: number }>("select count(*)::int as n from notes where body in ('concurrent', 'held open')");
      expect(count?.rows[0]?.n).toBe(others.length * 4 + 1);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });
});

describe('the database belongs to its project', () => {
  it('after rm -rf .cnf while it runs, the old server stops by itself and never touches the new one', async () => {
    expect((await project.cli(['invoke', 'migrate'])).code).toBe(0);
    const old = await statusOf(project.dir);
    rmSync(join(project.dir, '.cnf'), { recursive: true, force: true });

    // At once: the old server may still live while the new one starts.
    const first = await project.cli(['invoke', 'migrate']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('2 pending migration(s)');
    await exitOf(old.pid ?? 0, 15_000);
    await exitOf(old.postgresPid ?? 0, 15_000);

    const fresh = await statusOf(project.dir);
    expect(fresh.running).toBe(true);
    expect(fresh.pid).not.toBe(old.pid);
    const parameters = JSON.parse(readFileSync(join(project.dir, '.cnf', 'local', 'parameters.json'), 'utf8')) as {
      parameters: Record<string, { value: string }>;
    };
    expect(parameters.parameters.DATABASE_URL?.value).toBe(fresh.url);
    const again = await project.cli(['invoke', 'migrate']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('No pending migrations');
  });

  it('reclaims its port from a postmaster its killed server left behind', async () => {
    const before = await statusOf(project.dir);
    process.kill(before.pid ?? 0, 'SIGKILL');
    await exitOf(before.pid ?? 0, 5_000);
    expect(isAlive(before.postgresPid ?? 0)).toBe(true);
    // status says what holds the data: not the running server, but a postmaster left without its watcher
    expect(await statusOf(project.dir)).toMatchObject({ running: false, orphanPostgresPid: before.postgresPid });
    expect((await project.cli(['db', 'status'])).stdout).toContain(
      `not running as cnf-admin runs it: postgres pid ${before.postgresPid} holds its data without its watcher`,
    );

    const run = await project.cli(['invoke', 'migrate']);
    expect(run.code, run.stderr).toBe(0);
    await exitOf(before.postgresPid ?? 0, 15_000);
    const after = await statusOf(project.dir);
    expect(after).toMatchObject({ running: true, port: before.port, url: before.url });
    expect(after.postgresPid).not.toBe(before.postgresPid);
  });

  it("a copy of the project never talks to the original's server", async () => {
    const original = await statusOf(project.dir);
    const copy = `${project.dir}-copy`;
    cpSync(project.dir, copy, { recursive: true, verbatimSymlinks: true, filter: (source) => !source.endsWith('node_modules') });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    try {
      expect((await statusOf(copy)).running).toBe(false);
      const seed = await runCli(['invoke', 'seed', '--', '--count', '3'], { cwd: copy });
      expect(seed.code, seed.stderr).toBe(0);
      const copied = await statusOf(copy);
      expect(copied.running).toBe(true);
      expect(copied.pid).not.toBe(original.pid);
      expect(copied.port).not.toBe(original.port);
      expect(await noteCount(copied.url ?? '')).toBe((await noteCount(original.url ?? '')) + 3);
      expect(await statusOf(project.dir)).toMatchObject({ running: true, pid: original.pid, port: original.port });
    } finally {
      await stopEmbeddedDatabase(localPaths({ stateDir: join(copy, '.cnf') }));
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('a corrupted server state file is exit 69 naming the file, in one line, never a stack', async () => {
    await project.cli(['db', 'stop']);
    const stateFile = join(project.dir, '.cnf', 'local', 'database', 'server.json');
    writeFileSync(stateFile, '{"pid": "not a pid"');
    expectOneLineError(await project.cli(['invoke', 'migrate']), 69, `${stateFile}: not valid JSON`);
    writeFileSync(stateFile, JSON.stringify({ pid: 1, port: 'x' }));
    expectOneLineError(await project.cli(['db', 'status']), 69, stateFile);
    rmSync(stateFile);
    expect((await project.cli(['invoke', 'migrate'])).code).toBe(0);
  });

  it('a damaged start lock is exit 69 at once naming its file, not a silent wait of two minutes for a start that is not going on', async () => {
    await project.cli(['db', 'stop']);
    // a generation of the start lock newer than any, which names no holder
    const lockFile = join(databaseFilesOf(project.dir).startLock, '999999999999.json');
    mkdirSync(dirname(lockFile), { recursive: true });
    writeFileSync(lockFile, 'garbage');
    const started = Date.now();
    const refused = await project.cli(['invoke', 'migrate']);
    expectOneLineError(refused, 69, `its start lock is held by a lock file that names no holder, ${lockFile}, free at`);
    expect(Date.now() - started).toBeLessThan(30_000);
    rmSync(lockFile);
    expect((await project.cli(['invoke', 'migrate'])).code).toBe(0);
  });
});

describe('idleness', () => {
  it('stops after its idle time, but not while a process that uses it (serve) lives', async () => {
    const idle = { CNF_LOCAL_DB_IDLE_SECONDS: '2' };
    const other = createTestProject('notes');
    try {
      expect((await other.cli(['invoke', 'migrate'], { env: idle })).code).toBe(0);
      const first = await statusOf(other.dir);
      await exitOf(first.pid ?? 0, 30_000);
      expect((await statusOf(other.dir)).running).toBe(false);

      const server = spawnCli(['serve', '--port', '0'], { cwd: other.dir, env: idle });
      const ended = finished(server);
      await outputShows(server, 'Serving web:live', 'stderr');
      const held = await statusOf(other.dir);
      expect(held.running).toBe(true);
      // An idle check past the 2 s idle time (it checks every 0.5 s then) found serve alive, kept the server and said so.
      await logLine(other.dir, 'no clients for 2s, kept running: a process that uses it lives', 30_000);
      expect(isAlive(held.pid ?? 0)).toBe(true);
      expect(await statusOf(other.dir)).toMatchObject({ running: true, pid: held.pid });
      server.kill('SIGINT');
      expect((await ended).code).toBe(0);
      await exitOf(held.pid ?? 0, 30_000);
    } finally {
      await other.cleanup();
    }
  });

  it('stays while a client is connected, and stops once it has gone', async () => {
    const idle = { CNF_LOCAL_DB_IDLE_SECONDS: '2' };
    const other = createTestProject('notes');
    try {
      const url = (await other.cli(['db', 'url'], { env: idle })).stdout.trim();
      const client = new pg.Client(url);
      await client.connect();
      const held = await statusOf(other.dir);
      // The CLI that started it has ended: only the connection keeps it past its 2 s.
      await logLine(other.dir, 'no process that uses it for 2s, kept running: a client is connected', 30_000);
      expect(await statusOf(other.dir)).toMatchObject({ running: true, pid: held.pid });
      await client.end();
      await exitOf(held.pid ?? 0, 30_000);
      await exitOf(held.postgresPid ?? 0, 30_000);
      await logLine(other.dir, 'stopping: idle for 2s', 1_000);
      expect(existsSync(databaseFilesOf(other.dir).state)).toBe(false);
    } finally {
      await other.cleanup();
    }
  });
});

describe('when PostgreSQL ends by itself', () => {
  it('its watcher removes the state file and ends; the next run starts it again', async () => {
    const other = createTestProject('notes');
    try {
      expect((await other.cli(['db', 'start'])).code).toBe(0);
      const before = await statusOf(other.dir);
      process.kill(before.postgresPid ?? 0, 'SIGKILL');
      await exitOf(before.pid ?? 0, 30_000);
      await logLine(other.dir, 'PostgreSQL ended', 1_000);
      expect(existsSync(databaseFilesOf(other.dir).state)).toBe(false);
      expect((await statusOf(other.dir)).running).toBe(false);
      expect((await other.cli(['invoke', 'migrate'])).code).toBe(0);
      expect((await statusOf(other.dir)).running).toBe(true);
    } finally {
      await other.cleanup();
    }
  });
});

/**
 * A process that has ended and that its parent never reaps (a zombie), as a
 * postmaster killed with SIGKILL is until init reaps it; `release` ends its
 * parent, and init reaps it then.
 */
async function zombie(): Promise<{ pid: number; release: () => void }> {
  // The background child exits once its parent has become `sleep`, which never waits for it: exited before that, the
  // shell itself could reap it (under load, it did).
  const child = 'while [ "$(cat /proc/$PPID/comm)" != sleep ]; do sleep 0.01; done; exit 0';
  const parent = spawn('sh', ['-c', `sh -c '${child}' & echo $!; exec sleep 60`], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
  const isZombie = (): boolean => / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ')'));
  while (!isZombie()) await new Promise((resolve) => setTimeout(resolve, 10));
  return { pid, release: () => parent.kill('SIGKILL') };
}

describe('a postmaster that was killed and is not reaped yet', () => {
  it('does not keep the next start out: the run after a kill -9 of PostgreSQL starts it', async () => {
    const other = createTestProject('notes');
    const dead = await zombie();
    try {
      expect((await other.cli(['db', 'start'])).code).toBe(0);
      expect((await other.cli(['db', 'stop'])).code).toBe(0);
      // What a postmaster killed with SIGKILL leaves: its lock file, naming a pid that answers kill(pid, 0) until reaped.
      const { dataDir } = databaseFilesOf(other.dir);
      writeFileSync(join(dataDir, 'postmaster.pid'), `${dead.pid}\n${dataDir}\n1796549125\n`);
      // One its parent never reaps (an init that does not reap, in a container) is waited for, then its lock file dropped.
      const run = await other.cli(['invoke', 'migrate']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toContain('lock file');
      expect(readFileSync(databaseFilesOf(other.dir).log, 'utf8')).toContain(`dropping postmaster.pid of postmaster ${dead.pid}`);
    } finally {
      dead.release();
      await other.cleanup();
    }
  });
});

describe('a postmaster.pid whose pid another process has taken since', () => {
  it('is dropped: status names no postmaster, stop and start signal nothing, and the database starts', async () => {
    const other = createTestProject('notes');
    // A process of the user's that took over the pid (after a reboot, say); `sleep` ignores nothing a stop would send.
    const bystander = spawn('sleep', ['300'], { stdio: 'ignore' });
    const pid = bystander.pid ?? 0;
    try {
      expect((await other.cli(['db', 'start'])).code).toBe(0);
      expect((await other.cli(['db', 'stop'])).code).toBe(0);
      const { dataDir } = databaseFilesOf(other.dir);
      writeFileSync(join(dataDir, 'postmaster.pid'), `${pid}\n${dataDir}\n1796549125\n5432\n`);

      expect((await statusOf(other.dir)).orphanPostgresPid).toBeUndefined();
      expect((await other.cli(['db', 'stop'])).code).toBe(0);
      const start = await other.cli(['db', 'start']);
      expect(start.code, start.stderr).toBe(0);
      expect(bystander.exitCode).toBeNull();
      expect(bystander.signalCode).toBeNull();
      expect(isAlive(pid)).toBe(true);
      expect(readFileSync(databaseFilesOf(other.dir).log, 'utf8')).toContain(`dropping postmaster.pid of postmaster ${pid}`);
    } finally {
      bystander.kill('SIGKILL');
      await other.cleanup();
    }
  });
});

describe('a database that cannot start', () => {
  it('is exit 69 with what PostgreSQL said, for each caller at once; nothing runs and nothing stays running', async () => {
    const other = createTestProject('notes');
    try {
      expect((await other.cli(['db', 'start'])).code).toBe(0);
      expect((await other.cli(['db', 'stop'])).code).toBe(0);
      const files = databaseFilesOf(other.dir);
      const control = join(files.dataDir, 'global', 'pg_control');
      renameSync(control, `${control}.moved`);

      const [started, invoked] = await Promise.all([other.cli(['db', 'start']), other.cli(['invoke', 'migrate', '--run-id', 'no-db'])]);
      for (const result of [started, invoked]) {
        expect(result.code, result.stderr).toBe(69);
        expect(result.stderr).toContain(
          'The embedded PostgreSQL did not start: PostgreSQL ended (exit 2) before it accepted connections; PostgreSQL said: ',
        );
        expect(result.stderr).toContain('global/pg_control": No such file or directory');
        expect(result.stderr).toContain(`Its log: ${files.log}`);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
      expect(invoked.stdout).not.toContain('pending migration');
      expect(existsSync(files.state)).toBe(false);
      expect(existsSync(join(files.dataDir, 'postmaster.pid'))).toBe(false);
      // Each start's watcher ends with its PostgreSQL.
      await logLine(other.dir, 'PostgreSQL ended as it started', 5_000);
      expect((await statusOf(other.dir)).running).toBe(false);

      renameSync(`${control}.moved`, control);
      expect((await other.cli(['invoke', 'migrate'])).code).toBe(0);
      expect((await statusOf(other.dir)).running).toBe(true);
    } finally {
      await other.cleanup();
    }
  });
});

describe('as root, without a user namespace', () => {
  it('runs PostgreSQL as nobody when nobody can reach the project, and says what to do when not', async () => {
    const asNobody = { CNF_LOCAL_DB_AS_ROOT: 'nobody' };
    const other = createTestProject('notes');
    const base = dirname(other.dir);
    try {
      chmodSync(base, 0o700);
      const refused = await other.cli(['invoke', 'migrate'], { env: asNobody });
      if (process.getuid?.() === 0) {
        expectOneLineError(refused, 69, 'must be able to reach');
        expect(refused.stderr).toContain('run cnf-admin as a normal user');
      } else expect(refused.code).toBe(0);

      chmodSync(base, 0o755);
      const run = await other.cli(['invoke', 'migrate'], { env: asNobody });
      expect(run.code, run.stderr).toBe(0);
      const { postgresPid } = await statusOf(other.dir);
      const owner = statSync(`/proc/${postgresPid}`).uid;
      expect(owner).toBe(process.getuid?.() === 0 ? 65534 : process.getuid?.());
    } finally {
      await other.cleanup();
    }
  });
});

describe('a local stage whose kept port another program took', () => {
  it('moves the embedded PostgreSQL to a free port, says so, and the URL follows', async () => {
    const other = createTestProject('notes');
    // Another program holds the port the stage kept.
    const squatter = createServer();
    const taken = await new Promise<number>((resolve) =>
      squatter.listen(0, '127.0.0.1', () => resolve((squatter.address() as AddressInfo).port)),
    );
    try {
      const database = join(other.dir, '.cnf', 'local', 'database');
      mkdirSync(database, { recursive: true });
      writeFileSync(join(database, 'settings.json'), JSON.stringify({ port: taken }));
      writeFileSync(
        join(other.dir, '.cnf', 'local', 'parameters.json'),
        JSON.stringify({ parameters: { DATABASE_URL: { value: `postgres://postgres@127.0.0.1:${taken}/postgres`, secure: true } } }),
      );

      const run = await other.cli(['invoke', 'migrate']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/PGlite/i);
      expect(run.stderr).toContain(`Port ${taken} is taken by another program`);
      const { url } = await statusOf(other.dir);
      const get = await other.cli(['config', 'get', 'DATABASE_URL']);
      expect(get.stdout.trim()).toBe(url);
      expect(url).not.toContain(`:${taken}/`);
    } finally {
      squatter.close();
      await other.cleanup();
    }
  });
});
