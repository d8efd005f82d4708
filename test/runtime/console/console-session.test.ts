import { describe, expect, it } from 'vitest';
import { ConsoleSession } from '../../../lib/runtime/console/console-session.js';

describe('ConsoleSession', () => {
  it('evaluates with top-level await, and keeps what each input declares for the next', async () => {
    const session = new ConsoleSession({ db: { query: async (sql: string) => [{ sql }] } });
    expect(await session.evaluate('const rows = await db.query("select 1")')).toBeUndefined();
    expect(await session.evaluate('rows[0].sql')).toBe('select 1');
    await session.evaluate('function double(x) { return x * 2 }');
    expect(await session.evaluate('double(rows.length)')).toBe(2);
    // `_` holds the last value, as in Node's REPL: an input can use it.
    expect(session.names()).toEqual(['_', 'db', 'double', 'rows']);
  });

  it('rejects with what the input threw', async () => {
    const session = new ConsoleSession({});
    await expect(session.evaluate('throw new RangeError("too far")')).rejects.toMatchObject({ name: 'RangeError', message: 'too far' });
  });

  it('saves plain data for a session rebuilt in another process, and lists what it could not keep', async () => {
    const first = new ConsoleSession({ db: 'handle' });
    await first.evaluate('const count = 3; const when = new Date(0); const tags = new Set(["a"]); const helper = () => 1');
    const saved = first.save();
    expect(saved.kept).toEqual(['_', 'count', 'tags', 'when']);
    expect(saved.dropped).toEqual(['helper']);
    const second = ConsoleSession.restore({ db: 'fresh handle' }, saved.state);
    expect(await second.evaluate('[count + 1, when.getTime(), tags.has("a"), db]')).toEqual([4, 0, true, 'fresh handle']);
    await expect(second.evaluate('helper()')).rejects.toMatchObject({ name: 'ReferenceError' });
  });
});

describe("ConsoleSession as Node's REPL", () => {
  it('keeps the last value in _ and the last error in _error, unless an input declares them', async () => {
    const session = new ConsoleSession({});
    await session.evaluate('6 * 7');
    expect(await session.evaluate('_ + 1')).toBe(43);
    await expect(session.evaluate('null.x')).rejects.toMatchObject({ name: 'TypeError' });
    expect(await session.evaluate('_error.name')).toBe('TypeError');
    await session.evaluate('const _ = "mine"');
    await session.evaluate('1 + 1');
    expect(await session.evaluate('_')).toBe('mine');
  });

  it('imports modules with import(), as a Node script does', async () => {
    const session = new ConsoleSession({});
    expect(await session.evaluate('const { readFileSync } = await import("node:fs"); typeof readFileSync')).toBe('function');
  });

  it('carries _ to a session rebuilt in another process, without listing it as dropped', async () => {
    const first = new ConsoleSession({});
    await first.evaluate('[1, 2]');
    const second = ConsoleSession.restore({}, first.save().state);
    expect(await second.evaluate('_.length')).toBe(2);
    await first.evaluate('() => 1');
    expect(first.save().dropped).toEqual([]);
  });
});

describe('ConsoleSession completion and bindings', () => {
  it('never runs code to complete: no getter, no proxy trap, and a throwing proxy offers nothing', async () => {
    const session = new ConsoleSession({});
    await session.evaluate(`
      globalThis.calls = 0
      const trap = () => { calls += 1; throw new Error("trap ran") }
      const hostile = new Proxy({}, { get: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap, has: trap })
      const holder = { get lazy() { calls += 1; return { inner: 1 } }, plain: { inner: 2 }, hostile }
    `);
    expect(session.complete('hostile.')).toEqual([[], 'hostile.']);
    expect(session.complete('holder.hostile.x')).toEqual([[], 'holder.hostile.x']);
    expect(session.complete('holder.lazy.')).toEqual([[], 'holder.lazy.']);
    expect(session.complete('holder.plain.in')).toEqual([['holder.plain.inner'], 'holder.plain.in']);
    expect(session.complete('holder.')[0]).toEqual(expect.arrayContaining(['holder.lazy', 'holder.plain', 'holder.hostile']));
    expect(await session.evaluate('calls')).toBe(0);
  });

  it('completes members of declared and scope values, and every global and keyword that matches', async () => {
    const session = new ConsoleSession({ config: { API_URL: 'x' }, notes: { listNotes: () => [] } });
    await session.evaluate('const rows = [1, 2]');
    expect(session.complete('notes.li')).toEqual([['notes.listNotes'], 'notes.li']);
    expect(session.complete('rows.fil')).toEqual([['rows.fill', 'rows.filter'], 'rows.fil']);
    expect(session.complete('con')[0]).toEqual(['config', 'console', 'const', 'continue']);
    expect(session.complete('JSON.str')).toEqual([['JSON.stringify'], 'JSON.str']);
  });

  it('gives each evaluation its own bindings, unless an input declared the name', async () => {
    const session = new ConsoleSession({});
    const first = new AbortController();
    expect(await session.evaluate('signal.aborted', { signal: first.signal })).toBe(false);
    first.abort();
    expect(await session.evaluate('signal.aborted', { signal: new AbortController().signal })).toBe(false);
    await session.evaluate('const signal = "mine"');
    expect(await session.evaluate('signal', { signal: first.signal })).toBe('mine');
    expect(session.declaredNames()).toEqual(['signal']);
  });
});
