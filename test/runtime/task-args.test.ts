import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { argsDifference } from '../../lib/core/run-id-reuse.js';
import { checkArgs } from '../../lib/core/check-args.js';
import { holdsLeftOutArgs, redactArgs } from '../../lib/runtime/task-args.js';

const schema = z.strictObject({
  olderThanDays: z.number().int().min(1),
  dryRun: z.boolean().default(false),
  filter: z.strictObject({ tag: z.string() }).optional(),
});

describe('checkArgs', () => {
  it('parses args, applying defaults', () => {
    expect(checkArgs(schema, { olderThanDays: 3 })).toEqual({ ok: true, args: { olderThanDays: 3, dryRun: false } });
  });

  it('names a field by its JSON path when flags are not its terms', () => {
    expect(checkArgs(schema, {})).toEqual({
      ok: false,
      message: 'olderThanDays: missing (expected number)',
      fields: [{ field: 'olderThanDays', problem: 'missing (expected number)' }],
    });
    expect(checkArgs(schema, { olderThanDays: 1, filter: { tag: 1 } })).toEqual({
      ok: false,
      message: 'filter.tag: Invalid input: expected string, received number',
      fields: [{ field: 'filter', problem: 'Invalid input: expected string, received number (at tag)' }],
    });
  });

  it('says an enum or a literal left out is missing, as a field or as a flag', () => {
    const modes = z.strictObject({ mode: z.enum(['fast', 'slow']), kind: z.literal('x') });
    expect(checkArgs(modes, {})).toMatchObject({
      ok: false,
      message: 'mode: missing (expected one of "fast"|"slow"); kind: missing (expected "x")',
    });
    expect(checkArgs(modes, { kind: 'x' }, (key) => `--${key} <fast|slow>`)).toEqual({
      ok: false,
      message: 'missing --mode <fast|slow>',
      fields: [],
    });
    expect(checkArgs(modes, { mode: 'quick', kind: 'x' })).toMatchObject({
      ok: false,
      message: 'mode: Invalid option: expected one of "fast"|"slow"',
    });
  });

  it('speaks in flags for the keys that came, or would come, as flags', () => {
    const usage = (key: string): string =>
      ({ olderThanDays: '--older-than-days <integer>', filter: '--filter <object>' })[key] ?? `--${key}`;
    expect(checkArgs(schema, {}, usage)).toEqual({ ok: false, message: 'missing --older-than-days <integer>', fields: [] });
    expect(checkArgs(schema, { olderThanDays: 0 }, usage)).toEqual({
      ok: false,
      message: '--older-than-days: Too small: expected number to be >=1',
      fields: [],
    });
    expect(checkArgs(schema, { olderThanDays: 1, filter: { tag: 1 } }, usage)).toEqual({
      ok: false,
      message: '--filter (at tag): Invalid input: expected string, received number',
      fields: [],
    });
  });
});

describe('argsDifference', () => {
  it('finds no difference in the same args, whatever their key order', () => {
    expect(argsDifference({ a: 1, b: { x: 1, y: 2 } }, { b: { y: 2, x: 1 }, a: 1 })).toBeUndefined();
  });

  it('names each key that differs, with both values, cut short', () => {
    expect(argsDifference({ a: 1, b: true }, { a: 2, c: 'x'.repeat(100) })).toBe(
      `a: 1 then, 2 now; b: true then, absent now; c: absent then, "${'x'.repeat(39)}… now`,
    );
  });
});

describe('checkArgs fields', () => {
  it('names the top-level keys a refusal of JSON args is about, for a form to mark', () => {
    const checked = checkArgs(schema, { filter: { tag: 1 }, extra: true });
    expect(checked.ok).toBe(false);
    const fields = checked.ok ? [] : checked.fields;
    expect(fields.map(({ field }) => field)).toEqual(['olderThanDays', 'filter']);
    // where in the field's value: its key tag
    expect(fields[1]?.problem).toBe('Invalid input: expected string, received number (at tag)');
  });

  it('names no field for a key named as a flag, or for the args as a whole', () => {
    const flags = checkArgs(schema, {}, () => '--older-than-days <integer>');
    expect(flags.ok ? undefined : flags.fields).toEqual([]);
    const whole = checkArgs(schema, [1]);
    expect(whole.ok ? undefined : whole.message).toMatch(/^\(args\): /);
    expect(whole.ok ? undefined : whole.fields).toEqual([]);
  });

  it('names a key as it is, whatever it holds (a dot, a space): its problem is not read back out of the message', () => {
    const odd = z.strictObject({ 'a.b': z.number(), 'my key': z.string() });
    const checked = checkArgs(odd, { 'a.b': 'x', 'my key': 1 });
    expect(checked.ok ? [] : checked.fields.map(({ field }) => field)).toEqual(['a.b', 'my key']);
  });
});

describe('holdsLeftOutArgs', () => {
  it('counts a sensitive text by its own characters, and any other value by its JSON', () => {
    expect(redactArgs({ a: '', b: 'p4ss-w0rd', c: 'é"\\', d: 12345, e: { pin: 1 } }, ['a', 'b', 'c', 'd', 'e'])).toEqual({
      a: '[redacted: 0 characters]',
      b: '[redacted: 9 characters]',
      c: '[redacted: 3 characters]',
      d: '[redacted: 5 characters]',
      e: '[redacted: 9 characters]',
    });
  });

  it('finds every value the ledger did not keep as given, at any depth, and nothing else', () => {
    const recorded = redactArgs({ apiToken: 'hunter22', note: 'x'.repeat(5000), key: 'p4ss-w0rd', count: 2 }, ['key']);
    expect(recorded).toEqual({ apiToken: '[redacted]', note: '[omitted: 5000 characters]', key: '[redacted: 9 characters]', count: 2 });
    for (const [name, value] of Object.entries(recorded))
      expect(holdsLeftOutArgs({ nested: { [name]: value } }), name).toBe(name !== 'count');
    expect(holdsLeftOutArgs({ url: 'postgres://app:[redacted]@db/app' })).toBe(true);
    expect(holdsLeftOutArgs({ note: 'redacted: 3 characters', list: ['[omitted]', 1, null] })).toBe(false);
  });
});
