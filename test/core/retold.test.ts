import { describe, expect, it } from 'vitest';
import { PermissionError, retold, toldMore, TryAgainError } from '../../lib/core/errors.js';

describe('retold', () => {
  it('keeps the class (its name, which --json prints, and instanceof), the exit code, the fault and the hint', () => {
    const original = new PermissionError('Permission denied: lambda:UpdateAlias.', { hint: 'See cnf-admin policy' });
    const told = retold(original, 'Permission denied: lambda:UpdateAlias. Nothing moved.', { cause: original });
    expect(told).toBeInstanceOf(PermissionError);
    expect(told).toMatchObject({ name: 'PermissionError', exitCode: 77, fault: original.fault, hint: 'See cnf-admin policy' });
    expect(told.message).toBe('Permission denied: lambda:UpdateAlias. Nothing moved.');
    expect(told.cause).toBe(original);
  });

  it('takes a new hint, or none with null, and carries no cause unless given one', () => {
    const original = new TryAgainError('Throttled.', { hint: 'Nothing changed; try again in a moment.' });
    expect(retold(original, 'Throttled. v3 is live.', { hint: 'Nothing to do again.' }).hint).toBe('Nothing to do again.');
    const bare = retold(original, 'Throttled.', { hint: null });
    expect(bare.hint).toBeUndefined();
    expect(bare.cause).toBeUndefined();
  });
});

describe('toldMore', () => {
  it("says more after the error's own message, its class kept", () => {
    const original = new PermissionError('Permission denied: lambda:UpdateAlias. ');
    const told = toldMore(original, 'Nothing moved.');
    expect(told).toBeInstanceOf(PermissionError);
    expect(told.message).toBe('Permission denied: lambda:UpdateAlias. Nothing moved.');
  });

  it('ends the first sentence before saying more, where the message ends without a full stop', () => {
    const aws = new PermissionError('1 validation error detected: Value at tier failed to satisfy constraint');
    expect(toldMore(aws, 'No config version was made.').message).toBe(
      '1 validation error detected: Value at tier failed to satisfy constraint. No config version was made.',
    );
    expect(toldMore(new TryAgainError('Throttled:  '), 'Nothing moved.').message).toBe('Throttled. Nothing moved.');
  });

  it('adds no full stop after one that ends a sentence, a closing bracket or quote after it allowed', () => {
    for (const message of ['Denied!', 'Denied?', 'Denied (as asked.)', 'AWS said "no."', 'AWS said ‘no.’']) {
      expect(toldMore(new TryAgainError(message), 'Nothing moved.').message).toBe(`${message} Nothing moved.`);
    }
  });
});
