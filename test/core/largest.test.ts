import { describe, expect, it } from 'vitest';
import { largest } from '../../lib/core/largest.js';

describe('largest', () => {
  it('is the largest value, or the floor when none is larger', () => {
    expect(largest([3, 9, 4])).toBe(9);
    expect(largest([], 8)).toBe(8);
    expect(largest([2, 5], 6)).toBe(6);
  });

  it('takes more values than a spread into Math.max can (that overflows the call stack)', () => {
    const many = Array.from({ length: 500_000 }, (_value, index) => index);
    expect(() => Math.max(...many)).toThrow(RangeError);
    expect(largest(many)).toBe(499_999);
  });
});
