/* What a database error (pg's DatabaseError) says besides its message, in the order psql shows it. */
const DETAIL_FIELDS = ['code', 'detail', 'hint', 'position', 'where', 'schema', 'table', 'column', 'constraint'] as const;

/** The SQL text an error's `position` counts in (1-based characters), to name the line and column it points at. */
interface SqlText {
  /** What to call the text: a migration's file name. */
  readonly name: string;
  readonly text: string;
}

/** `line 3, column 5 of 0002_tags.sql`, for a 1-based character position in the text. */
function lineAndColumn(position: number, sql: SqlText): string {
  const before = [...sql.text].slice(0, Math.max(0, position - 1)).join('');
  const lines = before.split('\n');
  return `line ${lines.length}, column ${(lines.at(-1)?.length ?? 0) + 1} of ${sql.name}`;
}

/**
 * An error with the fields that say what went wrong appended to its message,
 * one per line: a database error's code, detail, hint and position, which
 * its name and message alone lose (the console shows them after an input
 * that threw; `migrate` after a migration that failed, where the position
 * also names the line and column of the migration's file). Any other error
 * is returned as it is.
 *
 * @example
 * try { await client.query(sql); } catch (error) { throw withDatabaseDetails(error, { name: '0002_tags.sql', text: sql }); }
 */
function withDatabaseDetails(error: unknown, sql?: SqlText): unknown {
  if (typeof error !== 'object' || error === null || typeof (error as Error).message !== 'string') return error;
  const fields = DETAIL_FIELDS.flatMap((field) => {
    const descriptor = Object.getOwnPropertyDescriptor(error, field);
    const value: unknown = descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
    if (typeof value !== 'string' && typeof value !== 'number') return [];
    const position = field === 'position' && sql !== undefined ? Number(value) : Number.NaN;
    return [`${field}: ${value}${Number.isInteger(position) && position > 0 ? ` (${lineAndColumn(position, sql as SqlText)})` : ''}`];
  });
  // An error code alone that its message names already (Node's ENOENT) adds nothing; PostgreSQL's SQLSTATE (25001) it does.
  const code = (error as { code?: unknown }).code;
  if (fields.length === 0 || (fields.length === 1 && (error as Error).message.includes(String(code)))) return error;
  const detailed = new Error(`${(error as Error).message}\n  ${fields.join('\n  ')}`, { cause: error });
  detailed.name = String((error as Error).name);
  if (typeof (error as Error).stack === 'string') detailed.stack = (error as Error).stack;
  return detailed;
}

export { withDatabaseDetails };
export type { SqlText };
