import type pg from 'pg';

/**
 * The table that records which migrations a database has applied: one row
 * per migration, written in the same transaction as the migration itself, so
 * a migration and its record commit together or not at all.
 */
interface MigrationTable {
  /** Creates the table when the database has none. */
  ensure(): Promise<void>;
  /** The names of the applied migrations, in name order. */
  applied(): Promise<string[]>;
  /** Records `name` as applied, inside the caller's transaction. */
  record(client: pg.ClientBase, name: string): Promise<void>;
}

/** A quoted SQL identifier for the table name (never interpolated raw). */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The migration table `name` on `client`'s database. */
function migrationTable(client: pg.ClientBase, name: string): MigrationTable {
  const table = quoteIdentifier(name);
  return {
    async ensure() {
      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    },
    async applied() {
      const result = await client.query<{ name: string }>(`SELECT name FROM ${table} ORDER BY name`);
      return result.rows.map((row) => row.name);
    },
    async record(transaction, migration) {
      await transaction.query(`INSERT INTO ${table} (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [migration]);
    },
  };
}

export { migrationTable };
export type { MigrationTable };
