import { describe, expect, it } from 'vitest';
import { ConsoleSyntaxError, isIncompleteInput, rewriteInput } from '../../../lib/runtime/console/rewrite-input.js';

describe('rewriteInput', () => {
  it('turns top-level declarations into assignments and returns the last expression', () => {
    const rewritten = rewriteInput('const rows = await db.query("select 1"); rows.length');
    expect(rewritten.declared).toEqual(['rows']);
    expect(rewritten.source).toBe('(async () => {\nvoid (rows = await db.query("select 1"));\nreturn (rows.length);\n})()');
  });

  it('finds the names in destructuring, hoists functions and keeps classes in place', () => {
    expect(rewriteInput('let { a, b: [c], ...rest } = obj, d').declared).toEqual(['a', 'c', 'rest', 'd']);
    const hoisted = rewriteInput('g(1)\nfunction g(x) { return x }\ng(2)');
    expect(hoisted.declared).toEqual(['g']);
    expect(hoisted.source).toBe('(async () => {\ng = function g(x) { return x };\ng(1)\nreturn (g(2));\n})()');
    expect(rewriteInput('class Note {}').source).toContain('Note = class Note {}');
  });

  it('leaves other statements as they are', () => {
    expect(rewriteInput('for (const x of [1]) { total += x }').source).toContain('for (const x of [1]) { total += x }');
  });

  it('says of input that ends inside a statement that it is unfinished, not that a token was unexpected; other errors as the parser says them', () => {
    expect(() => rewriteInput('if (true) {')).toThrow(new ConsoleSyntaxError('the input ends inside a statement: if (true) { ...', true));
    expect(() => rewriteInput('\n  notes.list(\n  1,')).toThrow(/^the input ends inside a statement: notes\.list\( \.\.\.$/);
    expect(() => rewriteInput('1 +* 2')).toThrow(/^Unexpected token \(1:3\)$/);
  });

  it('refuses input that does not parse, saying whether more lines could finish it', () => {
    expect(() => rewriteInput('a b')).toThrow(ConsoleSyntaxError);
    expect(isIncompleteInput('function f() {')).toBe(true);
    expect(isIncompleteInput('const text = `line one')).toBe(true);
    expect(isIncompleteInput('g(1,')).toBe(true);
    expect(isIncompleteInput('a b')).toBe(false);
    expect(isIncompleteInput('1 + 1')).toBe(false);
  });
});
