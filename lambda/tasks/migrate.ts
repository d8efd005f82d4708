import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Umzug, type UmzugStorage } from 'umzug';
import { z } from 'zod';
import { defineTask } from 'cnf-admin/runtime';
import { databaseFrom, type Database } from '../db.js';

/*
 * The migrations ship inside the bundle (`migrations/` at its root, which is
 * LAMBDA_TASK_ROOT in Lambda and on the local stage), so a release always
 * migrates to exactly the schema its code expects.
 */
function migrationsDir(): string {
  const root = process.env.LAMBDA_TASK_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
  return join(root, 'migrations');
}

/** The applied migrations, recorded in the database they were applied to. */
function tableStorage(db: Database): UmzugStorage {
  const ready = db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  return {
    async executed() {
      await ready;
      const rows = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
      return rows.map((row) => row.name);
    },
    // Each migration records itself inside its own transaction (see below);
    // this only makes umzug's separate bookkeeping call harmless.
    async logMigration({ name }) {
      await db.query('INSERT INTO schema_migrations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
    },
    async unlogMigration({ name }) {
      await db.query('DELETE FROM schema_migrations WHERE name = $1', [name]);
    },
  };
}

export default defineTask({
  name: 'migrate',
  description: 'Apply pending SQL migrations from lambda/migrations to the database',
  // Locked: two migrations never run at once. Ten minutes: well inside a deploy's release phase.
  options: { lock: true, timeoutSeconds: 600 },
  args: z.strictObject({
    force: z
      .boolean()
      .default(false)
      .describe('Run although the database holds migrations this release does not ship (an older release on a newer schema)'),
  }),
  async run({ args, config, log, signal }) {
    const db = databaseFrom(config);
    const dir = migrationsDir();
    const migrations = readdirSync(dir)
      .filter((file) => file.endsWith('.sql'))
      .sort()
      .map((file) => ({
        name: file.replace(/\.sql$/, ''),
        // The migration and its record commit together, or not at all.
        up: () =>
          db.transaction(async (tx) => {
            await tx.query(readFileSync(join(dir, file), 'utf8'));
            await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file.replace(/\.sql$/, '')]);
          }),
      }));
    const storage = tableStorage(db);
    const umzug = new Umzug({ migrations, storage, logger: undefined });
    // A rollback runs this on an older release: its code may not read a schema it has never seen.
    // (umzug's own executed() lists only the migrations it knows; the table lists them all.)
    const shipped = new Set(migrations.map((migration) => migration.name));
    const unknown = (await storage.executed({ context: {} })).filter((name) => !shipped.has(name));
    if (unknown.length > 0) {
      const message =
        `The database holds ${unknown.length} applied migration(s) this release does not ship: ${unknown.join(', ')}. ` +
        'Its code may not work on that schema. Roll forward instead, or, if every such migration only expanded the schema ' +
        '(expand/contract: new tables and nullable columns, nothing dropped or renamed), run with --force ' +
        '(cnf-admin rollback --force, or cnf-admin invoke migrate -- --force).';
      if (!args.force) throw new Error(message);
      log.warn(`--force: going on with migrations this release does not ship: ${unknown.join(', ')}`);
    }
    const pending = await umzug.pending();
    if (pending.length === 0) {
      const applied = await umzug.executed();
      log.info(`No pending migrations: the database is up to date (${applied.length} applied)`);
      return { applied: [], pending: 0 };
    }
    log.info(`${pending.length} pending migration(s): ${pending.map((migration) => migration.name).join(', ')}`);
    const applied: string[] = [];
    for (const migration of pending) {
      signal.throwIfAborted();
      const started = Date.now();
      log.info(`Applying ${migration.name}`);
      await umzug.up({ to: migration.name });
      applied.push(migration.name);
      log.info(`Applied ${migration.name} in ${Date.now() - started} ms`);
    }
    log.info(`Done: ${applied.length} migration(s) applied`);
    return { applied, pending: 0 };
  },
});
