import { describe, expect, it } from 'vitest';
import { unquotedJsonError } from '../../../lib/core/files/unquoted-json-error.js';
import { jsonFaultOffset } from '../../../lib/platform/local/json-fault-offset.js';

function parseError(text: string): unknown {
  try {
    JSON.parse(text);
  } catch (error) {
    return error;
  }
  throw new Error('parsed');
}

describe('unquotedJsonError', () => {
  it('names no piece of the text, where the parser quotes one', () => {
    const text = '{\n  "value": s3cret-value"\n}';
    expect((parseError(text) as Error).message).toContain('s3cret');
    const told = unquotedJsonError(text, parseError(text));
    expect(told).toMatch(/^not valid JSON/);
    expect(told).not.toContain('s3cret');
  });

  it('says the line and column where the parser names a position', () => {
    const text = '{\n  "a": 1\n  "b": 2\n}';
    expect(unquotedJsonError(text, parseError(text))).toMatch(/^not valid JSON at line 3, column 3 /);
  });

  it('finds the line and column where the parser names none (an unexpected token) with a locator, still quoting nothing', () => {
    const text = '{\n  "A": { "value": "ok" },\n  "B": s3cret-value\n}';
    expect((parseError(text) as Error).message).not.toMatch(/position/);
    expect(unquotedJsonError(text, parseError(text))).toMatch(/^not valid JSON \(/);
    const told = unquotedJsonError(text, parseError(text), jsonFaultOffset);
    expect(told).toMatch(/^not valid JSON at line 3, column 8 /);
    expect(told).not.toContain('s3cret');
    expect(unquotedJsonError('garbage\n', parseError('garbage\n'), jsonFaultOffset)).toMatch(/^not valid JSON at line 1, column 1 /);
  });

  it('says an empty text is empty, not that it goes wrong at its first character', () => {
    expect(unquotedJsonError('', parseError(''), jsonFaultOffset)).toBe('empty: it holds no JSON at all');
    expect(unquotedJsonError(' \n', parseError(' \n'))).toBe('empty: it holds no JSON at all');
  });
});
