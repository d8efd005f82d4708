import { describe, expect, it } from 'vitest';
import { isReleaseId, releaseIdOf } from '../../lib/core/release.js';

const file = (path: string, text: string) => ({ path, contents: new TextEncoder().encode(text) });

describe('releaseIdOf', () => {
  it('is r- and 12 hex digits', () => {
    expect(releaseIdOf([file('web.mjs', 'export {}')])).toMatch(/^r-[0-9a-f]{12}$/);
  });

  it('gives the same id for the same files in any order', () => {
    const a = [file('web.mjs', 'a'), file('admin.mjs', 'b'), file('chunks/c.mjs', 'c')];
    expect(releaseIdOf(a)).toBe(releaseIdOf([...a].reverse()));
  });

  it('changes when a file changes, is renamed, or bytes move between files', () => {
    const base = releaseIdOf([file('a', 'xy'), file('b', 'z')]);
    expect(releaseIdOf([file('a', 'xy'), file('b', 'Z')])).not.toBe(base);
    expect(releaseIdOf([file('a', 'xy'), file('c', 'z')])).not.toBe(base);
    expect(releaseIdOf([file('a', 'x'), file('b', 'yz')])).not.toBe(base);
  });
});

describe('isReleaseId', () => {
  it.each([
    ['r-0123456789ab', true],
    ['r-0123456789AB', false],
    ['r-0123', false],
    ['0123456789ab', false],
    [42, false],
  ])('%s -> %s', (value, expected) => {
    expect(isReleaseId(value)).toBe(expected);
  });
});
