import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../lib/cli/duration.js';

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['5m', 300],
    ['1h', 3600],
    ['1500ms', 1.5],
    ['2min', 120],
  ])('reads %s as %s seconds', (text, seconds) => {
    expect(parseDuration(text, '--wait-lock')).toBe(seconds);
  });

  it('names the flag and the value it cannot read', () => {
    expect(() => parseDuration('soon', '--wait-lock')).toThrow('--wait-lock takes a duration such as 90s, 5m or 1h, got: "soon"');
  });
});
