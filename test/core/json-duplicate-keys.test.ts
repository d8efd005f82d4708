import { describe, expect, it } from 'vitest';
import { duplicateJsonKey } from '../../lib/core/json-duplicate-keys.js';

describe('duplicateJsonKey', () => {
  it('names a key given twice, at any depth, by its path', () => {
    expect(duplicateJsonKey('{"days": 30, "days": 1}')).toBe('days');
    expect(duplicateJsonKey('{"a": 1, "filter": {"s": 1, "s": 2}}')).toBe('filter.s');
    expect(duplicateJsonKey('{"list": [{"x": 1}, {"x": 2, "x": 3}]}')).toBe('list.x');
  });

  it('finds none where keys repeat only across objects, or in string values', () => {
    expect(duplicateJsonKey('{"a": {"x": 1}, "b": {"x": 2}}')).toBeUndefined();
    expect(duplicateJsonKey('{"a": "\\"a\\": 1", "b": ["a", "a"]}')).toBeUndefined();
  });
});
