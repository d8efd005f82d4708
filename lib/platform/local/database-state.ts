import { writeSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { useSchemaMessages } from '../../core/schema-messages.js';
import { UnavailableError } from '../../core/errors.js';
import { readStateFile } from './local-state.js';
import type { LocalPaths } from './local-paths.js';

/** The files of the embedded database below `.cnf/local/database/`. */
interface DatabaseFiles {
  /** The PostgreSQL data directory (a cluster made by initdb). */
  readonly dataDir: string;
  /** The port, chosen once and kept: `{"port": 54321}`. */
  readonly settings: string;
  /** What the running server says about itself (see {@link DatabaseServerState}). */
  readonly state: string;
  /** The server's log, and PostgreSQL's. */
  readonly log: string;
  /** Held while a server is being started, so that concurrent runs start one. */
  readonly startLock: string;
  /**
   * One empty file per process that uses the database (named by its pid): the
   * server does not stop for idleness while one of them lives, so a `serve` or
   * a console with no open connection keeps it.
   */
  readonly users: string;
}

/** The files of the embedded database of the local stage at `paths`. */
function databaseFiles(paths: LocalPaths): DatabaseFiles {
  return {
    dataDir: join(paths.database, 'postgres'),
    settings: join(paths.database, 'settings.json'),
    state: join(paths.database, 'server.json'),
    log: join(paths.database, 'server.log'),
    startLock: join(paths.database, 'start-lock'),
    users: join(paths.database, 'users'),
  };
}

const port = z.int().check(z.minimum(1), z.maximum(65535));

/** What a running server writes about itself, and removes when it stops (only if the file is still its own). */
const databaseServerStateSchema = z.strictObject({
  /** The server's watcher (`database-watch.sh`, a shell process): signalled to stop it. */
  pid: z.int().check(z.positive()),
  /** Tells this server from any later one: a server removes the state file only while it names its own instance. */
  instanceId: z.string().check(z.minLength(1)),
  /** The PostgreSQL postmaster it runs. */
  postgresPid: z.int().check(z.positive()),
  port,
  /** The real path of the data directory it serves: a copy of the project has another. */
  dataDir: z.string().check(z.minLength(1)),
  /** PostgreSQL's version, e.g. `18.4`. */
  version: z.string().check(z.minLength(1)),
  startedAt: z.iso.datetime(),
});

/** What the server's state file says while it serves. */
type DatabaseServerState = z.infer<typeof databaseServerStateSchema>;

const databaseSettingsSchema = z.strictObject({ port });

/** The embedded database's lasting settings. */
type DatabaseSettings = z.infer<typeof databaseSettingsSchema>;

/** The first problem zod found, as one short phrase. */
function problemOf(schema: z.ZodMiniType): (value: unknown) => string | undefined {
  return (value) => {
    useSchemaMessages();
    const result = schema.safeParse(value);
    if (result.success) return undefined;
    const issue = result.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    return `${where}${issue?.message ?? 'malformed'}`;
  };
}

/**
 * Reads the server's state file, validated.
 *
 * @throws UnavailableError (69) naming the file when it is corrupted.
 */
async function readServerState(files: DatabaseFiles): Promise<DatabaseServerState | undefined> {
  try {
    return await readStateFile<DatabaseServerState>(files.state, problemOf(databaseServerStateSchema));
  } catch (error) {
    if (!(error instanceof UnavailableError)) throw error;
    throw new UnavailableError(error.message, {
      hint: `Delete ${files.state}, then run cnf-admin db stop: it finds a server by its data directory.`,
      cause: error,
    });
  }
}

/**
 * Reads the embedded database's settings, validated.
 *
 * @throws UnavailableError (69) naming the file when it is corrupted.
 */
function readDatabaseSettings(files: DatabaseFiles): Promise<DatabaseSettings | undefined> {
  return readStateFile<DatabaseSettings>(files.settings, problemOf(databaseSettingsSchema));
}

/**
 * Appends one line of cnf-admin's own to the server's log (open as `logFd`),
 * stamped as its other lines of cnf-admin's are.
 */
function writeServerLogLine(logFd: number, message: string): void {
  writeSync(logFd, `${new Date().toISOString()} ${message}\n`);
}

export { databaseFiles, readDatabaseSettings, readServerState, writeServerLogLine };
export type { DatabaseFiles, DatabaseServerState, DatabaseSettings };
