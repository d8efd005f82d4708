import { describe, expect, it } from 'vitest';
import { writeFailureRemedy } from '../../lib/core/write-failure-remedy.js';

describe('writeFailureRemedy', () => {
  it('asks for space for a full disk or quota, for a writable place for a read-only or forbidden one, and nothing else', () => {
    expect(['ENOSPC', 'EDQUOT'].map(writeFailureRemedy)).toEqual(['Free some space on its disk', 'Free some space on its disk']);
    expect(['EROFS', 'EACCES', 'EPERM'].map(writeFailureRemedy)).toEqual(['Make it writable', 'Make it writable', 'Make it writable']);
    expect(['EISDIR', 'ENOENT', 'EIO', undefined].map(writeFailureRemedy)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
