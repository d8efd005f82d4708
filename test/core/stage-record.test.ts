import { describe, expect, it } from 'vitest';
import { parameterPathOf, releaseDescription, releaseFromDescription, stageRecordName } from '../../lib/core/stage-record.js';

describe('stage record names', () => {
  it('lives under the reserved prefix of the parameter path', () => {
    expect(parameterPathOf('notes', 'prod')).toBe('/notes/prod/');
    expect(stageRecordName('notes', 'prod')).toBe('/notes/prod/_cnf/stage');
  });
});

describe('release descriptions', () => {
  it('round-trip a release id', () => {
    expect(releaseFromDescription(releaseDescription('r-0123456789ab'))).toBe('r-0123456789ab');
  });

  it('find nothing in other descriptions', () => {
    expect(releaseFromDescription('deployed by hand')).toBeUndefined();
    expect(releaseFromDescription(undefined)).toBeUndefined();
  });
});
