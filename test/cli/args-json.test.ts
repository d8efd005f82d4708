import { describe, expect, it } from 'vitest';
import { parseArgsJson } from '../../lib/cli/args-json.js';
import { UsageError } from '../../lib/core/errors.js';

describe('parseArgsJson', () => {
  it('reads a JSON object', () => {
    expect(parseArgsJson('{"olderThanDays":30}')).toEqual({ olderThanDays: 30 });
  });

  it.each([
    ['{olderThanDays:30}', /--args is not valid JSON/],
    ['[1,2]', '--args must be a JSON object, got: [1,2]'],
    ['null', '--args must be a JSON object, got: null'],
  ])('refuses %s as a usage error', (text, message) => {
    expect(() => parseArgsJson(text)).toThrow(UsageError);
    expect(() => parseArgsJson(text)).toThrow(message);
  });
});
