/**
 * The embedded PostgreSQL of the local stage, as a small server process:
 * PGlite (a real Postgres, compiled to WebAssembly) behind a Postgres wire
 * protocol socket on 127.0.0.1.
 *
 * One process owns the data directory, so `invoke` runs and `serve` can use
 * the database at once through `pg`, the same driver the app uses on AWS.
 * It stops by itself after a while without connections.
 *
 * Usage: node local-database.mjs <dataDir> <port> <stateFile> <idleSeconds>
 */
import { rm } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { writeFileAtomic } from '../../runtime/ledger/atomic-file.js';

/** What the server's state file says while it serves. */
interface DatabaseServerState {
  readonly pid: number;
  readonly port: number;
  readonly startedAt: string;
}

/*
 * pg pools in concurrent runs and in `serve` each hold a few connections;
 * PGlite's multiplexer queues their queries onto its single backend.
 */
const MAX_CONNECTIONS = 100;

async function serveDatabase(dataDir: string, port: number, stateFile: string, idleSeconds: number): Promise<void> {
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: MAX_CONNECTIONS });
  await server.start();
  const state: DatabaseServerState = { pid: process.pid, port, startedAt: new Date().toISOString() };
  await writeFileAtomic(stateFile, JSON.stringify(state));
  console.log(`${state.startedAt} serving ${dataDir} on 127.0.0.1:${port}`);

  let idleSince = Date.now();
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`${new Date().toISOString()} stopping: ${why}`);
    clearInterval(idleCheck);
    await rm(stateFile, { force: true });
    await server.stop();
    await db.close();
    process.exit(0);
  };
  const idleCheck = setInterval(() => {
    if (server.getStats().activeConnections > 0) idleSince = Date.now();
    else if (Date.now() - idleSince > idleSeconds * 1000) void stop(`idle for ${idleSeconds}s`);
  }, 1000);
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

const [dataDir, port, stateFile, idleSeconds] = process.argv.slice(2);
if (dataDir === undefined || port === undefined || stateFile === undefined || idleSeconds === undefined) {
  console.error('usage: local-database.mjs <dataDir> <port> <stateFile> <idleSeconds>');
  process.exit(64);
}
serveDatabase(dataDir, Number(port), stateFile, Number(idleSeconds)).catch((error: unknown) => {
  console.error(`${new Date().toISOString()} cannot serve the database:`, error);
  process.exit(1);
});

export type { DatabaseServerState };
