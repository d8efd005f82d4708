import { describe, expect, it } from 'vitest';
import { withDatabaseDetails } from '../../lib/runtime/database-error-details.js';

/** An error as pg's DatabaseError carries its fields: own properties beside the message. */
function databaseError(message: string, fields: Record<string, string>): Error {
  return Object.assign(new Error(message), { name: 'error', ...fields });
}

describe('withDatabaseDetails', () => {
  it("appends a database error's fields, one per line, in psql's order, and keeps the error as its cause", () => {
    const error = databaseError('column "nope" does not exist', { position: '8', code: '42703' });
    const detailed = withDatabaseDetails(error) as Error;
    expect(detailed.message).toBe('column "nope" does not exist\n  code: 42703\n  position: 8');
    expect(detailed.name).toBe('error');
    expect(detailed.cause).toBe(error);
  });

  it('names the line and column a position points at in the SQL it was given, counting characters, not bytes', () => {
    const sql = { name: '0002_tags.sql', text: '-- étiquettes\nCREATE TABLE tags (id int);\n  CREAT INDEX;\n' };
    const position = String([...sql.text].indexOf('C', 20) + 1);
    const detailed = withDatabaseDetails(databaseError('syntax error at or near "CREAT"', { code: '42601', position }), sql) as Error;
    expect(detailed.message).toContain(`position: ${position} (line 3, column 3 of 0002_tags.sql)`);
  });

  it("leaves alone an error with no such fields, or with a code alone (Node's ENOENT says it in its message)", () => {
    const plain = new Error('boom');
    expect(withDatabaseDetails(plain)).toBe(plain);
    const missing = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    expect(withDatabaseDetails(missing)).toBe(missing);
    expect(withDatabaseDetails('a string')).toBe('a string');
  });
});
