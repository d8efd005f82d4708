import { describe, expect, it } from 'vitest';
import { isValidRunId, newRunId } from '../../lib/core/run.js';

describe('newRunId', () => {
  it('starts with the UTC time to the second and ends with six random characters', () => {
    expect(newRunId(new Date('2026-11-24T14:39:27.123Z'))).toMatch(/^20261124-143927-[0-9a-hjkmnp-tv-z]{6}$/);
  });

  it('sorts by start time', () => {
    const earlier = newRunId(new Date('2026-01-01T00:00:00Z'));
    const later = newRunId(new Date('2026-01-01T00:00:01Z'));
    expect([later, earlier].sort()).toEqual([earlier, later]);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newRunId()));
    expect(ids.size).toBe(1000);
  });
});

describe('isValidRunId', () => {
  it.each([
    ['20261124-143927-k3f9qz', true],
    ['release-r-0123456789ab', true],
    ['a', true],
    ['', false],
    ['../etc/passwd', false],
    ['has space', false],
    ['x'.repeat(129), false],
    [7, false],
  ])('%s -> %s', (value, expected) => {
    expect(isValidRunId(value)).toBe(expected);
  });
});
