import { describe, expect, it } from 'vitest';
import { argsLimitProblem, argsTextProblem, MAX_ARGS_BYTES, MAX_ARGS_DEPTH, nestsDeeperThan } from '../../lib/core/args-limits.js';

function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level += 1) value = { a: value };
  return value;
}

describe('the limits of task args', () => {
  it('are 32 levels and 256 KB', () => {
    expect(MAX_ARGS_DEPTH).toBe(32);
    expect(MAX_ARGS_BYTES).toBe(256 * 1024);
  });

  it('count an object or array as a level, and scalars as none', () => {
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 2)).toBe(true);
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(nestsDeeperThan('text', 0)).toBe(false);
  });

  it('check any depth without recursion', () => {
    expect(nestsDeeperThan(nested(100_000), MAX_ARGS_DEPTH)).toBe(true);
    expect(argsLimitProblem('--args', nested(100_000))).toBe(
      '--args: nested more than 32 levels deep; task args may nest at most 32 levels.',
    );
  });

  it('take args at the limits, and refuse one level or one byte more', () => {
    expect(argsLimitProblem('--args', nested(32))).toBeUndefined();
    expect(argsLimitProblem('--args', nested(33))).toContain('nested more than 32 levels deep');
    const fits = { a: 'x'.repeat(MAX_ARGS_BYTES - '{"a":""}'.length) };
    expect(argsLimitProblem('--args', fits)).toBeUndefined();
    expect(argsLimitProblem('--args', { a: `${fits.a}x` })).toContain('task args may take at most 256 KB');
  });

  it('refuse a key named __proto__ at any depth, naming where, which no task could read', () => {
    expect(argsLimitProblem('--args', JSON.parse('{"__proto__": {"count": 2}}'))).toBe(
      '--args: args holds a key named "__proto__", which JavaScript reads as the object\'s prototype, not as an arg; name it otherwise.',
    );
    expect(argsLimitProblem('--args', JSON.parse('{"filter": [{"__proto__": 1}]}'))).toMatch(
      /^--args: args\.filter\.0 holds a key named "__proto__"/,
    );
    expect(argsLimitProblem('--args', { proto: 1, constructor: 2 })).toBeUndefined();
  });

  it('count flags with their text, in UTF-8', () => {
    expect(argsLimitProblem('The task args', {}, ['--label', 'é'.repeat(MAX_ARGS_BYTES / 2)])).toContain('256 KB');
    expect(argsTextProblem('--args', 'x'.repeat(MAX_ARGS_BYTES + 1))).toMatch(/^--args: 256 KB; task args may take at most 256 KB/);
  });

  it("leave the size of a reserved task's args to Lambda", () => {
    expect(argsLimitProblem('args', { state: 'x'.repeat(MAX_ARGS_BYTES * 2) }, [], Infinity)).toBeUndefined();
    expect(argsLimitProblem('args', nested(33), [], Infinity)).toContain('nested more than 32 levels deep');
  });
});
