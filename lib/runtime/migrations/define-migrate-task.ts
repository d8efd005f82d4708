import { join } from 'node:path';
import pg from 'pg';
import type { UmzugStorage } from 'umzug';
import * as z from 'zod';
import { DEFAULT_MIGRATE_TASK } from '../../core/migrate-task-name.js';
import { withDatabaseDetails } from '../database-error-details.js';
import { defineTask, type Task } from '../define-task.js';
import { migrationTable, type MigrationTable } from './migration-table.js';
import { sqlMigrationFiles, type SqlMigrationFile } from './sql-migration-files.js';
import { UnknownMigrationsError } from './unknown-migrations-error.js';

/**
 * Options of {@link defineMigrateTask}.
 *
 * @example
 * const options: MigrateTaskOptions = { directory: 'db/migrations', databaseUrlVariable: 'PG_URL' };
 */
interface MigrateTaskOptions {
  /** The task's name. @default 'migrate' */
  readonly name?: string;
  /** One line for `cnf-admin tasks`. @default 'Apply pending SQL migrations' */
  readonly description?: string;
  /**
   * The folder of `.sql` migrations inside the bundle, relative to its root.
   * List it in `context.cnf.assetDirs` (relative to the app's code folder,
   * `lambda/`) so that every release ships its migrations.
   *
   * @default 'migrations'
   */
  readonly directory?: string;
  /** The config key that holds the PostgreSQL URL. @default 'DATABASE_URL' */
  readonly databaseUrlVariable?: string;
  /** The table that records applied migrations. @default 'schema_migrations' */
  readonly table?: string;
  /** The run's time limit. @default 600 */
  readonly timeoutSeconds?: number;
}

/**
 * The args of the migrate task: `--force` runs it on a database that a newer release migrated.
 *
 * @example
 * migrateTaskArgs.parse({ force: true });
 */
const migrateTaskArgs = z.strictObject({
  force: z
    .boolean()
    .default(false)
    .describe('apply pending migrations even though the database holds migrations this release does not ship'),
});

/**
 * What a migrate run returns: the migrations it applied, and the database's total afterwards.
 *
 * @example
 * const result: MigrateResult = { applied: ['0002_add_index'], total: 2, unknown: [] };
 */
interface MigrateResult {
  readonly applied: readonly string[];
  readonly total: number;
  /** Applied migrations this release does not ship (only with `--force`). */
  readonly unknown: readonly string[];
}

/** The bundle's root: where Lambda, a container and the local stage unpack the release. */
function bundleRoot(): string {
  return process.env.LAMBDA_TASK_ROOT ?? process.cwd();
}

/** Umzug's record of applied migrations: the table, written by each migration's own transaction. */
function tableStorage(table: MigrationTable): UmzugStorage {
  return {
    executed: () => table.applied(),
    // Each migration records itself inside its transaction; nothing is left to log.
    logMigration: async () => undefined,
    unlogMigration: async () => {
      throw new Error('Down migrations are not supported: write a new migration that undoes the change.');
    },
  };
}

/* SQLSTATE 25001 (active_sql_transaction): a statement that cannot run inside a transaction block, as every migration runs. */
const NOT_IN_A_TRANSACTION = '25001';

/** Runs `file` and its record in one transaction on `client`. */
async function applyInTransaction(client: pg.Client, table: MigrationTable, file: SqlMigrationFile): Promise<void> {
  await client.query('BEGIN');
  try {
    // A position PostgreSQL reports counts in the file's text: only its own query's error names a line of it.
    await client.query(file.sql).catch((error: unknown) => {
      const detailed = withDatabaseDetails(error, { name: `${file.name}.sql`, text: file.sql }) as Error;
      if ((error as { code?: unknown }).code === NOT_IN_A_TRANSACTION)
        detailed.message += `\n  Each migration runs in one transaction with its record, so ${file.name}.sql cannot hold this statement: use its form that runs in one (CREATE INDEX without CONCURRENTLY, say), or run it from a task of its own.`;
      throw detailed;
    });
    await table.record(client, file.name);
    await client.query('COMMIT');
  } catch (error) {
    // A connection that broke (the server stopped, the session was ended) cannot take a ROLLBACK, and needs none: the
    // server rolled the transaction back as the session ended. The error to tell is the one that broke it.
    await client.query('ROLLBACK').catch(() => undefined);
    throw withDatabaseDetails(error);
  }
}

/*
 * How pg and PostgreSQL say that the session ended under the client: the
 * server stopped or restarted (SQLSTATE class 57P: operator intervention;
 * class 08: connection exception), or the connection dropped.
 */
const CONNECTION_LOST = /^(57P0[123]|08)/;
const CONNECTION_LOST_MESSAGE = /Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE/;

/** What to add to a migration's failure when its database session was lost, or nothing. */
function connectionLostAdvice(cause: Error): string {
  // The error told is a copy with PostgreSQL's details in its message (withDatabaseDetails): its code is on the one it copies.
  const lost = [cause, cause.cause].some((error) => {
    const code = (error as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' && CONNECTION_LOST.test(code);
  });
  return lost || CONNECTION_LOST_MESSAGE.test(cause.message)
    ? '\n  The connection to the database was lost while it ran (the server stopped or restarted, or the session was ended): the migration and its record were applied together or not at all (not at all, unless the connection went during its COMMIT). Run migrate again once the database serves: it applies the migration only if it is not recorded.'
    : '';
}

/**
 * The error a failed migration ends the run with: `MigrationError`, the
 * migration's name and what went wrong (PostgreSQL's message and details,
 * from {@link applyInTransaction}), without umzug's wording around it
 * (`(up) failed: Original error:`).
 */
function migrationFailed(name: string, error: unknown): unknown {
  const cause = whatFailed(error);
  if (cause === error) return error;
  const failed = new Error(`Migration ${name} failed: ${cause.message}${connectionLostAdvice(cause)}`, { cause });
  failed.name = (error as Error).name;
  return failed;
}

/** What went wrong in a migration umzug reports failed: the error it wraps (`cause`), or its own when it wraps none. */
function whatFailed(error: unknown): Error {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? cause : (error as Error);
}

/**
 * Cancels the statement in flight on `client` once `signal` aborts (the run
 * is asked to stop: Ctrl-C, `cnf-admin stop`, its timeout), as psql's Ctrl-C
 * does: the migration fails, and its transaction rolls back with its record.
 * Without it, a migration's SQL ran on to its end, however long, and was
 * applied after the stop. Sent from a connection of its own
 * (`pg_cancel_backend`, allowed on a session of the same role). Gives back
 * the function that stops listening.
 */
function cancelStatementOnAbort(client: pg.Client, url: string, signal: AbortSignal): () => void {
  const cancel = (): void => {
    const canceller = new pg.Client({ connectionString: url });
    canceller.on('error', () => undefined);
    void canceller
      .connect()
      .then(() => canceller.query('SELECT pg_cancel_backend($1)', [(client as pg.Client & { processID: number }).processID]))
      // Not cancelled (the server gone, say): the statement ends on its own, and the run with it.
      .catch(() => undefined)
      .finally(() => void canceller.end().catch(() => undefined));
  };
  signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}

/**
 * A `migrate` task for PostgreSQL: applies the release's pending `.sql`
 * migrations in name order, each in one transaction with its record, under
 * the task lock (two migrations never run at once), with umzug. Asked to
 * stop, it cancels the statement in flight: that migration rolls back, and
 * none after it starts.
 *
 * It refuses ({@link UnknownMigrationsError}, exit 1) when the database holds
 * migrations the release does not ship, which is what a rollback to an older
 * release meets after a newer one migrated: `--force` overrides. Write
 * migrations as expand/contract steps to keep older releases runnable.
 *
 * @example
 * // lambda/tasks/migrate.ts, with lambda/migrations/0001_create_notes.sql
 * import { defineMigrateTask } from 'cnf-admin/migrations';
 * export default defineMigrateTask();
 */
function defineMigrateTask(options: MigrateTaskOptions = {}): Task<typeof migrateTaskArgs> {
  const directory = options.directory ?? 'migrations';
  const urlVariable = options.databaseUrlVariable ?? 'DATABASE_URL';
  const name = options.name ?? DEFAULT_MIGRATE_TASK;
  return defineTask({
    name,
    description: options.description ?? 'Apply pending SQL migrations',
    args: migrateTaskArgs,
    options: { lock: true, timeoutSeconds: options.timeoutSeconds ?? 600 },
    async run({ args, config, log, signal }): Promise<MigrateResult> {
      const url = Object.hasOwn(config, urlVariable) ? config[urlVariable] : undefined;
      if (url === undefined || url === '') {
        throw new Error(
          `${urlVariable} is not set in the stage's parameter set: cnf-admin config set ${urlVariable} <postgres-url> --secure`,
        );
      }
      const files = sqlMigrationFiles(join(bundleRoot(), directory));
      const client = new pg.Client({ connectionString: url });
      // A connection the server ends mid-run fails the query in flight, which fails the run; the event alone must not end the process.
      client.on('error', () => undefined);
      await client.connect();
      try {
        const table = migrationTable(client, options.table ?? 'schema_migrations');
        await table.ensure();
        const shipped = new Set(files.map((file) => file.name));
        const alreadyApplied = await table.applied();
        const unknown = alreadyApplied.filter((name) => !shipped.has(name));
        if (unknown.length > 0 && !args.force) throw new UnknownMigrationsError(unknown, { task: name });
        if (unknown.length > 0) log.warn(`--force: the database holds migrations this release does not ship: ${unknown.join(', ')}`);
        // Up to date (the common case): umzug is not loaded at all.
        const recorded = new Set(alreadyApplied);
        if (files.every((file) => recorded.has(file.name))) {
          log.info(`No pending migrations: the database is up to date (${alreadyApplied.length} applied)`);
          return { applied: [], total: alreadyApplied.length, unknown };
        }
        const { Umzug } = await import('../vendor/umzug.js');
        const umzug = new Umzug({
          migrations: files.map((file) => ({ name: file.name, up: () => applyInTransaction(client, table, file) })),
          storage: tableStorage(table),
          logger: undefined,
        });
        const pending = await umzug.pending();
        log.info(`${pending.length} pending migration(s): ${pending.map((migration) => migration.name).join(', ')}`);
        const applied: string[] = [];
        const stopListening = cancelStatementOnAbort(client, url, signal);
        try {
          for (const migration of pending) {
            signal.throwIfAborted();
            const started = Date.now();
            log.info(`Applying ${migration.name}`);
            await umzug.up({ to: migration.name }).catch((error: unknown) => {
              if (!signal.aborted) throw migrationFailed(migration.name, error);
              // Its statement cancelled (or failed as the stop came): the run ends as stopped (130), not as a failed migration.
              log.warn(`Stopped ${migration.name}: rolled back, not applied (${whatFailed(error).message.split('\n')[0]})`);
              signal.throwIfAborted();
            });
            applied.push(migration.name);
            log.info(`Applied ${migration.name} in ${Date.now() - started} ms`);
          }
        } finally {
          stopListening();
        }
        const total = (await table.applied()).length;
        log.info(`Done: ${applied.length} migration(s) applied, ${total} in all`);
        return { applied, total, unknown };
      } finally {
        await client.end();
      }
    },
  });
}

export { defineMigrateTask, migrateTaskArgs };
export type { MigrateResult, MigrateTaskOptions };
