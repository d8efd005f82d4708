import { describe, expect, it } from 'vitest';
import { releaseOfPair } from '../../lib/core/alias-pair.js';
import { ReleaseMismatchError } from '../../lib/core/errors.js';

describe('releaseOfPair', () => {
  it('is the release both halves serve', () => {
    const pair = { name: 'live', web: { version: '7', release: 'r-aaaaaaaaaaaa' }, admin: { version: '7', release: 'r-aaaaaaaaaaaa' } };
    expect(releaseOfPair(pair, 'prod')).toBe('r-aaaaaaaaaaaa');
  });

  it('refuses a pair on two releases with exit 78, showing both', () => {
    const pair = { name: 'live', web: { version: '8', release: 'r-bbbbbbbbbbbb' }, admin: { version: '7', release: 'r-aaaaaaaaaaaa' } };
    const thrown = (() => {
      try {
        releaseOfPair(pair, 'prod');
        return undefined;
      } catch (error) {
        return error as ReleaseMismatchError;
      }
    })();
    expect(thrown).toBeInstanceOf(ReleaseMismatchError);
    expect(thrown?.exitCode).toBe(78);
    expect(thrown?.message).toContain('web:live serves r-bbbbbbbbbbbb (version 8) but admin:live points at r-aaaaaaaaaaaa (version 7)');
  });
});
