import { describe, expect, it } from 'vitest';
import { ledgerFailure } from '../../../lib/runtime/ledger/run-ledger.js';

function fsError(code: string): Error {
  return Object.assign(new Error(`${code}: failed, open '.cnf/local/runs/x.json'`), { code });
}

describe('ledgerFailure', () => {
  it('says what to do about a ledger whose disk is full or cannot be written', () => {
    for (const code of ['ENOSPC', 'EDQUOT'])
      expect(ledgerFailure(fsError(code)).message).toMatch(/refusing to run unguarded\. Free some space on its disk, then run it again\.$/);
    for (const code of ['EROFS', 'EACCES', 'EPERM'])
      expect(ledgerFailure(fsError(code)).message).toMatch(/refusing to run unguarded\. Make it writable, then run it again\.$/);
  });

  it('adds nothing to a failure that is no local disk’s, and tells throttling (75) apart', () => {
    const unreachable = ledgerFailure(Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' }));
    expect(unreachable.message).toBe('The run ledger is unavailable (TimeoutError: connect ECONNREFUSED); refusing to run unguarded.');
    expect(unreachable.exitCode).toBe(69);
    expect(ledgerFailure(Object.assign(new Error('slow down'), { name: 'ThrottlingException' })).exitCode).toBe(75);
  });
});
