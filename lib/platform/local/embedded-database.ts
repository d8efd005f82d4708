import { closeSync, existsSync, fchmodSync, openSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { isCnfError, PermissionError, UnavailableError } from '../../core/errors.js';
import type { EmbeddedDatabaseStatus } from '../../core/platform-capabilities.js';
import { createFileExclusive, isAlreadyExists, writeFileAtomic } from '../../core/files/atomic-file.js';
import { acquireFileLock, DAMAGED_LOCK_HOLDER } from '../../core/files/file-lock.js';
import {
  databaseFiles,
  readDatabaseSettings,
  readServerState,
  writeServerLogLine,
  type DatabaseFiles,
  type DatabaseServerState,
} from './database-state.js';
import type { LocalPaths } from './local-paths.js';
import { syncDatabaseUrl } from './managed-database-url.js';
import { isAlive, isPostmasterAlive, readPostmasterLock, waitForExit } from './postmaster-pid.js';
import { postgresBinaries } from './postgres-binaries.js';
import { commandLineNames } from './process-command-line.js';
import { readCnfEnvironment } from '../../core/cnf-environment.js';

/** How long the embedded database serves without connections before it stops. */
const DEFAULT_IDLE_SECONDS = 15 * 60;

/* The first start runs initdb: a second or two; a slow, shared machine may take far longer. */
const START_TIMEOUT_MS = 120_000;
/* The watcher stops PostgreSQL with a fast shutdown, then itself. */
const STOP_TIMEOUT_MS = 15_000;

/** The connection URL of the embedded database on `port`: a local development URL with no secret in it. */
function embeddedDatabaseUrl(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

/**
 * The loopback port the embedded database listens on: chosen when the local
 * stage is first set up, and kept, so that its URL stays the same.
 */
async function embeddedDatabasePort(paths: LocalPaths): Promise<number> {
  const files = databaseFiles(paths);
  const recorded = (await readDatabaseSettings(files))?.port;
  if (recorded !== undefined) return recorded;
  await mkdir(paths.database, { recursive: true });
  try {
    // Two first runs at once each find a free port: the first to create the file decides for both.
    await createFileExclusive(files.settings, JSON.stringify({ port: await freePort() }));
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const decided = (await readDatabaseSettings(files))?.port;
  if (decided === undefined) throw new UnavailableError(`${files.settings} vanished while the embedded PostgreSQL was being set up.`);
  return decided;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The real path of this project's data directory: a copy of the project, or
 * the same project reached through a symlink, is told apart by it.
 */
async function ownDataDir(paths: LocalPaths): Promise<string> {
  return join(await realpath(paths.database), 'postgres');
}

/**
 * Whether the watcher a state file names still runs: its pid is alive and is
 * that watcher, not a process that took over the pid since (a state file left
 * by a server that died with the machine, read after a reboot), which is
 * never signalled. On Linux its command line must name the server's
 * instance; elsewhere, where no command line is at hand, a live pid counts.
 */
function isWatcherAlive(state: DatabaseServerState): boolean {
  return isAlive(state.pid) && commandLineNames(state.pid, state.instanceId);
}

/** The server of this project's data directory, when it runs and accepts connections. */
async function servingState(files: DatabaseFiles, dataDir: string): Promise<DatabaseServerState | undefined> {
  const state = await readServerState(files);
  if (state === undefined || state.dataDir !== dataDir || !isWatcherAlive(state)) return undefined;
  return (await acceptsConnections(state.port)) ? state : undefined;
}

/**
 * What {@link ensureEmbeddedDatabase} tells as it goes: that it starts a
 * server (a wait of seconds, with the words for when it is done), or a fact
 * (a port that moved).
 */
type DatabaseStartNews =
  { readonly kind: 'starting'; readonly message: string; readonly done: string } | { readonly kind: 'note'; readonly message: string };

/**
 * Makes sure the embedded database serves, starting PostgreSQL and its
 * watcher when it does not, and keeps its URL in the parameter set under `urlVariable`.
 * Concurrent callers start at most one server. The calling process counts as
 * a user of the database until it ends: the server does not stop for
 * idleness before then.
 *
 * @param onStart - told when a server is being started, or its port moves (see {@link DatabaseStartNews})
 * @returns the database's URL.
 * @throws UnavailableError with PostgreSQL's complaint when it cannot start,
 *   or naming the state file when that is corrupted.
 */
async function ensureEmbeddedDatabase(
  paths: LocalPaths,
  onStart: (news: DatabaseStartNews) => void,
  urlVariable = 'DATABASE_URL',
): Promise<string> {
  await mkdir(paths.database, { recursive: true });
  const files = databaseFiles(paths);
  const dataDir = await ownDataDir(paths);
  const state = (await servingState(files, dataDir)) ?? (await startServer(paths, files, dataDir, onStart));
  await mkdir(files.users, { recursive: true });
  await writeFile(join(files.users, String(process.pid)), '');
  const url = embeddedDatabaseUrl(state.port);
  await syncDatabaseUrl(paths, urlVariable, url);
  return url;
}

/*
 * Starts the server under the start lock, so that concurrent callers start
 * one. A caller that finds the lock held waits for that server; it takes the
 * lock itself when the holder gave up (its start failed) or died, and then
 * starts it, or says why it cannot.
 */
async function startServer(
  paths: LocalPaths,
  files: DatabaseFiles,
  dataDir: string,
  onStart: (news: DatabaseStartNews) => void,
): Promise<DatabaseServerState> {
  const holder = { runId: `pid-${process.pid}`, caller: 'cnf-admin', since: new Date().toISOString() };
  const giveUpAt = Date.now() + START_TIMEOUT_MS;
  // The start's code loads while the lock is taken and the port checked: a start that finds the server serving after all loaded it for nothing.
  const starter = import('./database-start.js');
  starter.catch(() => undefined);
  for (;;) {
    const lock = await acquireFileLock(files.startLock, holder, { leaseMs: START_TIMEOUT_MS }, startEnded);
    if (lock.acquired) {
      try {
        return (await servingState(files, dataDir)) ?? (await startHoldingLock(paths, files, dataDir, onStart, starter));
      } finally {
        await lock.lease.release();
      }
    }
    const state = await servingState(files, dataDir);
    if (state !== undefined) return state;
    // A lock file that names no holder (damaged) is no start going on to wait for: said at once, not waited out.
    if (lock.holder.runId === DAMAGED_LOCK_HOLDER)
      throw new UnavailableError(`The embedded PostgreSQL cannot start: its start lock is held by ${lock.holder.caller}.`, {
        hint: 'Remove that file, and run the command again: no cnf-admin is starting the database through it.',
      });
    if (Date.now() > giveUpAt)
      throw new UnavailableError(
        `The embedded PostgreSQL did not start within ${START_TIMEOUT_MS / 1000}s: another cnf-admin is starting it.`,
        {
          hint: `Its log: ${files.log}`,
        },
      );
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/* A start whose process has ended holds the start lock no more. */
function startEnded(current: { readonly runId: string }): Promise<boolean> {
  const pid = /^pid-(\d+)$/.exec(current.runId)?.[1];
  return Promise.resolve(pid !== undefined && !isAlive(Number(pid)));
}

async function startHoldingLock(
  paths: LocalPaths,
  files: DatabaseFiles,
  dataDir: string,
  onStart: (news: DatabaseStartNews) => void,
  starter: Promise<typeof import('./database-start.js')>,
): Promise<DatabaseServerState> {
  const port = await usablePort(paths, files, dataDir, onStart);
  const firstStart = !existsSync(dataDir);
  const where = `on 127.0.0.1:${port}${firstStart ? ', first start' : ''}`;
  onStart({ kind: 'starting', message: `Starting the embedded PostgreSQL ${where}`, done: `Started the embedded PostgreSQL ${where}` });
  const logStart = await stat(files.log).then(
    (stats) => stats.size,
    () => 0,
  );
  // The owner's alone, as the parameter set is: what PostgreSQL writes there is the database's business.
  const logFd = openSync(files.log, 'a', 0o600);
  try {
    fchmodSync(logFd, 0o600);
    // Its code, loading since the start began (startServer): only a start loads it, a run that finds it serving does not.
    const { startDatabaseServer } = await starter;
    return await startDatabaseServer({ dataDir, port, stateFile: files.state, idleSeconds: idleSeconds(), logFd });
  } catch (error) {
    const { message } = error as Error;
    // Read before the line below is written: it quotes the message, a FATAL of initdb's too, which is no more of PostgreSQL's to say.
    const said = await postgresComplaint(files.log, logStart);
    writeServerLogLine(logFd, `cannot serve the database: ${message}`);
    throw new UnavailableError(
      `The embedded PostgreSQL did not start: ${message}${said === undefined ? '.' : `; PostgreSQL said: ${said}`}`,
      {
        // What to do, where the error knows (binaries not installed, or not set up); else where to read more.
        hint: isCnfError(error) && error.hint !== undefined ? error.hint : `Its log: ${files.log}`,
        cause: error,
      },
    );
  } finally {
    closeSync(logFd);
  }
}

/**
 * The recorded port when it is free, or held by an orphaned postmaster of this
 * very data directory (the server stops it and takes the port back); else a
 * new port, recorded, and said: the URL in the parameter set follows it.
 */
async function usablePort(
  paths: LocalPaths,
  files: DatabaseFiles,
  dataDir: string,
  onStart: (news: DatabaseStartNews) => void,
): Promise<number> {
  const port = await embeddedDatabasePort(paths);
  if (await isPortFree(port)) return port;
  const orphan = await readPostmasterLock(dataDir);
  if (orphan !== undefined && orphan.dataDir === dataDir && orphan.port === port && isPostmasterAlive(orphan)) return port;
  const moved = await freePort();
  await writeFileAtomic(files.settings, JSON.stringify({ port: moved }));
  onStart({
    kind: 'note',
    message: `Port ${port} is taken by another program: the embedded PostgreSQL moves to port ${moved}, and its URL with it.`,
  });
  return moved;
}

function idleSeconds(): number {
  return readCnfEnvironment().localDbIdleSeconds ?? DEFAULT_IDLE_SECONDS;
}

/**
 * What PostgreSQL said last in the server's log (since `from`) about why it
 * could not start, if it said anything: its last FATAL or PANIC, else the
 * last line it wrote before its logging began (such as a data directory it
 * cannot read).
 */
async function postgresComplaint(log: string, from: number): Promise<string | undefined> {
  const lines = (await readFile(log).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8').split('\n');
  const fatal = lines.filter((line) => /\b(FATAL|PANIC):/.test(line)).at(-1);
  if (fatal !== undefined) return fatal.replace(/^\d{4}-\d\d-\d\d [\d:.]+ [A-Z]+ \[\d+\] /, '').trim();
  return lines
    .filter((line) => line.trim() !== '' && !/^\d{4}-\d\d-\d\d[T ]/.test(line))
    .at(-1)
    ?.trim();
}

/**
 * Stops the embedded database server of this project, if one runs, and waits
 * until it has: its watcher, or a postmaster it left behind.
 *
 * @returns whether anything was running.
 */
async function stopEmbeddedDatabase(paths: LocalPaths): Promise<boolean> {
  if (!existsSync(paths.database)) return false;
  const files = databaseFiles(paths);
  const dataDir = await ownDataDir(paths);
  let stopped = false;
  // A corrupted state file must not keep a server from being stopped: the postmaster's lock file names it too.
  const state = await readServerState(files).catch(() => undefined);
  // Another user's server (root started it) cannot be signalled: say whose state it is, not kill's EPERM.
  const signal = (pid: number, name: NodeJS.Signals): void => {
    try {
      process.kill(pid, name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
      throw new PermissionError(
        `Permission denied: cannot stop the embedded PostgreSQL (pid ${pid}) of ${paths.database}: another user started it.`,
        {
          hint: "Run cnf-admin as the user that owns the project's .cnf, or make it yours (e.g. chown -R $(id -un) .cnf).",
          cause: error,
        },
      );
    }
  };
  if (state !== undefined && state.dataDir === dataDir && isWatcherAlive(state)) {
    signal(state.pid, 'SIGTERM');
    if (!(await waitForExit(state.pid, STOP_TIMEOUT_MS))) signal(state.pid, 'SIGKILL');
    stopped = true;
  }
  const orphan = await readPostmasterLock(dataDir);
  if (orphan !== undefined && orphan.dataDir === dataDir && isPostmasterAlive(orphan)) {
    signal(orphan.pid, 'SIGINT');
    if (!(await waitForExit(orphan.pid, STOP_TIMEOUT_MS))) signal(orphan.pid, 'SIGKILL');
    stopped = true;
  }
  return stopped;
}

/**
 * The embedded database's status, without starting it.
 *
 * @throws UnavailableError naming the state file when it is corrupted.
 */
async function embeddedDatabaseStatus(paths: LocalPaths): Promise<EmbeddedDatabaseStatus> {
  const files = databaseFiles(paths);
  // Before the first start, the version is the one that start will run: the installed binaries'.
  if (!existsSync(paths.database)) return { running: false, dataDir: files.dataDir, sizeBytes: 0, ...versionField(installedVersion()) };
  const dataDir = await ownDataDir(paths);
  const port = (await readDatabaseSettings(files))?.port;
  const state = await servingState(files, dataDir);
  const onDisk = await readFile(join(dataDir, 'PG_VERSION'), 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  const version = state?.version ?? (onDisk === undefined ? installedVersion() : stoppedVersion(onDisk));
  const shownPort = state?.port ?? port;
  const orphan = state === undefined ? await readPostmasterLock(dataDir) : undefined;
  return {
    running: state !== undefined,
    ...(state === undefined ? {} : { pid: state.pid, postgresPid: state.postgresPid, startedAt: state.startedAt }),
    ...(orphan !== undefined && orphan.dataDir === dataDir && isPostmasterAlive(orphan) ? { orphanPostgresPid: orphan.pid } : {}),
    ...(shownPort === undefined ? {} : { port: shownPort, url: embeddedDatabaseUrl(shownPort) }),
    dataDir,
    sizeBytes: directorySize(dataDir),
    ...versionField(version),
  };
}

function versionField(version: string | undefined): { version?: string } {
  return version === undefined ? {} : { version };
}

/**
 * The version a stopped database says: PostgreSQL's full release (`18.4`)
 * that its next start runs, where the installed binaries are of its data's
 * major version (`PG_VERSION`, `18`), as a running one says it; the major
 * alone where they are of another, or not installed.
 */
function stoppedVersion(major: string): string {
  const installed = installedVersion();
  return installed !== undefined && installed.split('.')[0] === major ? installed : major;
}

/* The installed binaries' PostgreSQL release (`18.4`), or undefined where none is installed for this system. */
function installedVersion(): string | undefined {
  try {
    return postgresBinaries().version;
  } catch (error) {
    if (error instanceof UnavailableError) return undefined;
    throw error;
  }
}

/*
 * A synchronous walk: PostgreSQL's data directory holds a thousand files and
 * more, and a stat each through the thread pool took 100 ms where this takes
 * a few.
 */
function directorySize(dir: string): number {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += directorySize(path);
    // A file PostgreSQL removed while it was being counted holds nothing.
    else total += statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  }
  return total;
}

/**
 * Stops the embedded database and deletes its data. Its port stays, so its URL does; the next use creates an empty
 * database.
 *
 * @returns whether there was data to delete.
 */
async function resetEmbeddedDatabase(paths: LocalPaths): Promise<boolean> {
  await stopEmbeddedDatabase(paths);
  const files = databaseFiles(paths);
  const existed = existsSync(files.dataDir);
  await rm(files.dataDir, { recursive: true, force: true });
  return existed;
}

export {
  embeddedDatabasePort,
  embeddedDatabaseStatus,
  embeddedDatabaseUrl,
  ensureEmbeddedDatabase,
  resetEmbeddedDatabase,
  stopEmbeddedDatabase,
};
export type { DatabaseStartNews };
