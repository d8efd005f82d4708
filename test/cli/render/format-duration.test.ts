import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../lib/cli/render/format-duration.js';

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [999.4, '999 ms'],
    [999.6, '1.0 s'],
    [4210, '4.2 s'],
    [59_960, '1 min 0 s'],
    [185_000, '3 min 5 s'],
    [239_600, '4 min 0 s'],
    [7_500_000, '2 h 5 min'],
    [907_362_000, '10 d 12 h'],
  ])('says %d ms as %s: its two largest units, never 60 of the smaller', (ms, said) => {
    expect(formatDuration(ms)).toBe(said);
  });
});
