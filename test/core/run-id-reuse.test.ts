import { describe, expect, it } from 'vitest';
import { argsHash } from '../../lib/core/args-hash.js';
import { runIdReuseProblem } from '../../lib/core/run-id-reuse.js';

describe('runIdReuseProblem', () => {
  // Given: a run whose token the ledger keeps redacted
  const runId = 'r1';
  const claimed = { runId, task: 'rotate', args: { apiToken: '[redacted]' }, argsHash: argsHash(runId, { apiToken: 'abcd' }) };

  it('refuses other raw args even where the recorded args read the same (a secret-looking key, a value of the same length)', () => {
    const problem = runIdReuseProblem(claimed, {
      runId,
      task: 'rotate',
      args: { apiToken: '[redacted]' },
      argsHash: argsHash(runId, { apiToken: 'wxyz' }),
    });
    expect(problem).toBe(
      "Run id r1 already names a run of rotate with other args (a value the ledger keeps redacted); nothing ran. Use a new run id, or the same task and args to get that run's outcome.",
    );
  });

  it('takes the same raw args, in any key order, as a retry', () => {
    expect(
      runIdReuseProblem(claimed, { runId, task: 'rotate', args: {}, argsHash: argsHash(runId, { apiToken: 'abcd' }) }),
    ).toBeUndefined();
    expect(argsHash(runId, { a: 1, b: 2 })).toBe(argsHash(runId, { b: 2, a: 1 }));
  });

  it('salts the hash with the run id', () => {
    expect(argsHash('r1', { a: 1 })).not.toBe(argsHash('r2', { a: 1 }));
  });
});
