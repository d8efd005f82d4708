import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One SQL migration a release ships: `0002_add_index.sql` is named `0002_add_index`. */
interface SqlMigrationFile {
  /** The file name without `.sql`; what the migration table records. */
  readonly name: string;
  /** The SQL, run in one transaction together with the migration's record. */
  readonly sql: string;
}

/**
 * The `.sql` files directly in `dir`, in file-name order (so name them
 * `0001_…`, `0002_…`). A missing directory ships no migration.
 */
function sqlMigrationFiles(dir: string): SqlMigrationFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sql'))
    .map((entry) => entry.name)
    .sort()
    .map((file) => ({ name: file.slice(0, -'.sql'.length), sql: readFileSync(join(dir, file), 'utf8') }));
}

export { sqlMigrationFiles };
export type { SqlMigrationFile };
