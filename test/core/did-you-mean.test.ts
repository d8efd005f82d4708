import { describe, expect, it } from 'vitest';
import { closestNames, didYouMean, editDistance } from '../../lib/core/did-you-mean.js';

describe('editDistance', () => {
  it.each([
    ['migrate', 'migrate', 0],
    ['migrte', 'migrate', 1],
    ['mirgate', 'migrate', 1],
    ['seed', 'migrate', 7],
    ['', 'abc', 3],
  ])('%s -> %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('didYouMean', () => {
  const tasks = ['migrate', 'seed', 'notes:purge', 'notes:export'];

  it('suggests the task one edit away', () => {
    expect(didYouMean('migrte', tasks)).toBe(' Did you mean "migrate"?');
    expect(didYouMean('notes:prge', tasks)).toBe(' Did you mean "notes:purge"?');
  });

  it('suggests a name that differs only in case first', () => {
    expect(closestNames('Prod', ['local', 'prod', 'proc'])).toEqual(['prod']);
  });

  it('suggests nothing for a name unlike any', () => {
    expect(didYouMean('xylophone', tasks)).toBe('');
    expect(didYouMean('constructor', tasks)).toBe('');
  });

  it('takes a tighter bound where names are alike by nature: two run ids of one minute are not typos of each other', () => {
    const runIds = ['20261124-143927-k3f9qz'];
    expect(closestNames('20261124-143958-mx2kqz', runIds)).toEqual(runIds);
    expect(closestNames('20261124-143958-mx2kqz', runIds, 2)).toEqual([]);
    expect(closestNames('20261124-143927-k3f9qx', runIds, 2)).toEqual(runIds);
  });

  it('never suggests the name itself, and lists ties', () => {
    expect(closestNames('seed', ['seed'])).toEqual([]);
    expect(didYouMean('sed', ['seed', 'send'])).toBe(' Did you mean "seed" or "send"?');
  });
});
