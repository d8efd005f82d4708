import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { UnavailableError } from '../../core/errors.js';
import { toolRoot } from '../../core/tool-root.js';
import { createFileExclusive, isAlreadyExists, readJsonFile } from '../../runtime/ledger/atomic-file.js';
import { acquireFileLock } from '../../runtime/ledger/file-lock.js';
import type { DatabaseServerState } from './database-server.js';
import type { LocalPaths } from './local-paths.js';

/** How long the embedded database serves without connections before it stops. */
const DEFAULT_IDLE_SECONDS = 15 * 60;

/* The first start runs initdb inside WebAssembly: seconds, not milliseconds. */
const START_TIMEOUT_MS = 120_000;

/** The files of the embedded database below `.cnf/local/database/`. */
function databaseFiles(paths: LocalPaths) {
  return {
    dataDir: join(paths.database, 'pgdata'),
    settings: join(paths.database, 'settings.json'),
    state: join(paths.database, 'server.json'),
    log: join(paths.database, 'server.log'),
    startLock: join(paths.database, 'start-lock'),
  };
}

/** The connection URL of the embedded database on `port`. */
function embeddedDatabaseUrl(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

/**
 * The loopback port the embedded database listens on: chosen once, when the
 * local stage is first set up, and kept, so that `DATABASE_URL` in the local
 * parameter set stays valid.
 */
async function embeddedDatabasePort(paths: LocalPaths): Promise<number> {
  const files = databaseFiles(paths);
  const recorded = async (): Promise<unknown> => (await readJsonFile<{ port?: unknown }>(files.settings))?.port;
  const port = await recorded();
  if (typeof port === 'number') return port;
  await mkdir(paths.database, { recursive: true });
  try {
    // Two first runs at once each find a free port: the first to create the file decides for both.
    await createFileExclusive(files.settings, JSON.stringify({ port: await freePort() }));
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const decided = await recorded();
  if (typeof decided === 'number') return decided;
  throw new UnavailableError(`${files.settings} names no port for the embedded PostgreSQL.`, {
    hint: 'Delete it: cnf-admin picks a new port and says which, then update DATABASE_URL with cnf-admin config set.',
  });
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

/**
 * Makes sure the embedded database serves, starting its server process when
 * it does not. Concurrent callers start at most one server.
 *
 * @param onStart - told when a server is being started (it takes a few seconds)
 * @throws UnavailableError with the server's log when it cannot start.
 */
async function ensureEmbeddedDatabase(paths: LocalPaths, onStart: (message: string) => void): Promise<void> {
  const files = databaseFiles(paths);
  const port = await embeddedDatabasePort(paths);
  if (await isServing(files.state, port)) return;
  const lock = await acquireFileLock(
    files.startLock,
    { runId: `pid-${process.pid}`, caller: 'cnf-admin', since: new Date().toISOString() },
    { leaseMs: START_TIMEOUT_MS },
  );
  if (!lock.acquired) return waitUntilServing(files, port, undefined);
  try {
    if (await isServing(files.state, port)) return;
    onStart(`Starting the embedded PostgreSQL (PGlite) on 127.0.0.1:${port}`);
    const log = openSync(files.log, 'a');
    const server = spawn(
      process.execPath,
      [join(toolRoot(), 'dist', 'local-database.mjs'), files.dataDir, String(port), files.state, String(idleSeconds())],
      { detached: true, stdio: ['ignore', log, log] },
    );
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    server.unref();
    await waitUntilServing(files, port, exited);
  } finally {
    await lock.lease.release();
  }
}

function idleSeconds(): number {
  const configured = Number(process.env.CNF_LOCAL_DB_IDLE_SECONDS);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_IDLE_SECONDS;
}

async function waitUntilServing(files: ReturnType<typeof databaseFiles>, port: number, exited: Promise<void> | undefined): Promise<void> {
  let gone = false;
  void exited?.then(() => {
    gone = true;
  });
  const giveUpAt = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < giveUpAt) {
    if (await isServing(files.state, port)) return;
    if (gone) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const tail = (await readFile(files.log, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n  ');
  throw new UnavailableError(`The embedded PostgreSQL did not start on 127.0.0.1:${port}.${tail === '' ? '' : `\n  ${tail}`}`, {
    hint: `See ${files.log}. If another program holds port ${port}, delete ${files.settings} to pick a new port and update DATABASE_URL with cnf-admin config set.`,
  });
}

/** Whether the server named in the state file is alive and accepts connections on `port`. */
async function isServing(stateFile: string, port: number): Promise<boolean> {
  const state = await readJsonFile<DatabaseServerState>(stateFile).catch(() => undefined);
  if (state === undefined || state.port !== port || !isAlive(state.pid)) return false;
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops the embedded database server, if it runs; resolves to whether one did. */
async function stopEmbeddedDatabase(paths: LocalPaths): Promise<boolean> {
  const state = await readJsonFile<DatabaseServerState>(databaseFiles(paths).state).catch(() => undefined);
  if (state === undefined || !isAlive(state.pid)) return false;
  process.kill(state.pid, 'SIGTERM');
  return true;
}

export { embeddedDatabasePort, embeddedDatabaseUrl, ensureEmbeddedDatabase, stopEmbeddedDatabase };
