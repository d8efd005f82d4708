import { describe, expect, it } from 'vitest';
import { ConsoleSession } from '../../../lib/runtime/console/console-session.js';

describe('ConsoleSession', () => {
  it('evaluates with top-level await, and keeps what each input declares for the next', async () => {
    const session = new ConsoleSession({ db: { query: async (sql: string) => [{ sql }] } });
    expect(await session.evaluate('const rows = await db.query("select 1")')).toBeUndefined();
    expect(await session.evaluate('rows[0].sql')).toBe('select 1');
    await session.evaluate('function double(x) { return x * 2 }');
    expect(await session.evaluate('double(rows.length)')).toBe(2);
    expect(session.names()).toEqual(['db', 'double', 'rows']);
  });

  it('rejects with what the input threw', async () => {
    const session = new ConsoleSession({});
    await expect(session.evaluate('throw new RangeError("too far")')).rejects.toMatchObject({ name: 'RangeError', message: 'too far' });
  });

  it('saves plain data for a session rebuilt in another process, and lists what it could not keep', async () => {
    const first = new ConsoleSession({ db: 'handle' });
    await first.evaluate('const count = 3; const when = new Date(0); const tags = new Set(["a"]); const helper = () => 1');
    const saved = first.save();
    expect(saved.kept).toEqual(['count', 'tags', 'when']);
    expect(saved.dropped).toEqual(['helper']);
    const second = ConsoleSession.restore({ db: 'fresh handle' }, saved.state);
    expect(await second.evaluate('[count + 1, when.getTime(), tags.has("a"), db]')).toEqual([4, 0, true, 'fresh handle']);
    await expect(second.evaluate('helper()')).rejects.toMatchObject({ name: 'ReferenceError' });
  });
});
