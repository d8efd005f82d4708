import { describe, expect, it } from 'vitest';
import { jsonSafe } from '../../lib/runtime/json-safe.js';

describe('jsonSafe', () => {
  it('marks a cycle, and keeps an object met twice that is no cycle', () => {
    const shared = { id: 1 };
    const node: Record<string, unknown> = { name: 'root', a: shared, b: shared, list: [shared, shared] };
    node.self = node;
    expect(jsonSafe(node)).toEqual({ name: 'root', a: { id: 1 }, b: { id: 1 }, list: [{ id: 1 }, { id: 1 }], self: '[Circular]' });
  });

  it('writes a BigInt as its decimal string, and NaN and the infinities as null', () => {
    expect(jsonSafe({ big: 12345678901234567890n, nan: Number.NaN, inf: [Number.POSITIVE_INFINITY] })).toEqual({
      big: '12345678901234567890',
      nan: null,
      inf: [null],
    });
  });

  it('makes a Map an object, a Set an array, a Date its ISO text, and leaves out what JSON leaves out', () => {
    expect(
      jsonSafe({ map: new Map([['k', 1]]), set: new Set(['a']), at: new Date('2026-01-02T03:04:05Z'), fn: () => 1, none: undefined }),
    ).toEqual({ map: { k: 1 }, set: ['a'], at: '2026-01-02T03:04:05.000Z' });
  });

  it('says what it could not read: a throwing getter, toJSON or proxy', () => {
    const getter = {
      ok: 1,
      get bad(): number {
        throw new Error('no');
      },
    };
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    expect(jsonSafe(getter)).toEqual({ ok: 1, bad: '[Unreadable: Error: no]' });
    expect(jsonSafe(proxy)).toBe('[Unreadable: Error: trap]');
    expect(JSON.stringify(jsonSafe({ toJSON: () => 10n }))).toBe('"10"');
  });
});
