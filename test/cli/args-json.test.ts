import { describe, expect, it } from 'vitest';
import { checkTaskArgsSize, parseArgsJson } from '../../lib/cli/args-json.js';
import { UsageError } from '../../lib/core/errors.js';

describe('parseArgsJson', () => {
  it('reads a JSON object', () => {
    expect(parseArgsJson('{"olderThanDays":30}')).toEqual({ olderThanDays: 30 });
  });

  it.each([
    ['{olderThanDays:30}', /--args is not valid JSON/],
    ['[1,2]', '--args must be a JSON object, got an array'],
    ['null', '--args must be a JSON object, got null'],
    ['4711', '--args must be a JSON object, got a number'],
  ])('refuses %s as a usage error', (text, message) => {
    expect(() => parseArgsJson(text)).toThrow(UsageError);
    expect(() => parseArgsJson(text)).toThrow(message);
  });

  it('names the kind of a JSON value that is no object, never the value: a bare number or string may be a secret', () => {
    expect(() => parseArgsJson('"s3cr3t-V4lue"')).toThrow('--args must be a JSON object, got a string');
    expect(() => parseArgsJson('"s3cr3t-V4lue"')).not.toThrow(/s3cr3t/);
    expect(() => parseArgsJson('918273645')).not.toThrow(/918273645/);
  });

  it('says what is wrong with text that is not JSON without quoting any of it: a piece may be a secret', () => {
    const typed = '{"note": s3cr3t-V4lue-xyz-123}';
    expect(() => parseArgsJson(typed)).toThrow("--args is not valid JSON: Unexpected token 's'");
    expect(() => parseArgsJson(typed)).not.toThrow(/s3cr3t/);
    expect(() => parseArgsJson('{"a":1')).toThrow(/--args is not valid JSON: .* at position 6/);
  });

  it('says a bare <name> is a value to fill in, as a command copied from a run leaves it, and quotes no part of the text', () => {
    const hintOf = (text: string): string | undefined => {
      try {
        parseArgsJson(text);
      } catch (error) {
        return (error as UsageError).hint;
      }
      return undefined;
    };
    const copied = hintOf('{"days":3,"token":<token>}');
    expect(copied).toMatch(/^A bare <name> in --args is a value to fill in/);
    expect(copied).not.toContain('<token>');
    expect(hintOf('{"list":["kept",<nested.list[1]>]}')).toMatch(/value to fill in/);
    expect(hintOf('{olderThanDays:30}')).toMatch(/^Quote the object for your shell/);
  });
});

describe('the limits of task args', () => {
  const nested = (levels: number): string => '{"a":'.repeat(levels - 1) + '{"a":1}' + '}'.repeat(levels - 1);

  it('takes args nested 32 levels deep', () => {
    expect(() => parseArgsJson(nested(32))).not.toThrow();
  });

  it('refuses args nested deeper than 32 levels, naming the limit, even thousands deep', () => {
    expect(() => parseArgsJson(nested(33))).toThrow('--args: nested more than 32 levels deep; task args may nest at most 32 levels.');
    expect(() => parseArgsJson(nested(5000))).toThrow(UsageError);
  });

  it('refuses args over 256 KB, naming the limit', () => {
    const big = JSON.stringify({ text: 'x'.repeat(300 * 1024) });
    expect(() => parseArgsJson(big)).toThrow(/^--args: 300 KB; task args may take at most 256 KB \(Lambda's payload limit/);
  });

  it('counts --args and flags together', () => {
    expect(() => checkTaskArgsSize({ a: 'x'.repeat(200 * 1024) }, ['--b', 'y'.repeat(100 * 1024)])).toThrow(
      /^The task args: 300 KB; task args may take at most 256 KB/,
    );
    expect(() => checkTaskArgsSize({ a: 1 }, ['--b', '2'])).not.toThrow();
  });
});
