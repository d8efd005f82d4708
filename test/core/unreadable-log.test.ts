import { describe, expect, it } from 'vitest';
import { retold, TryAgainError, UnavailableError } from '../../lib/core/errors.js';
import { isUnreadableLog, unreadableLog } from '../../lib/core/unreadable-log.js';

describe('unreadableLog', () => {
  it('says the log could not be read, keeps the class, exit code and hint, and marks it', () => {
    // given
    const failed = new TryAgainError('AWS throttled logs:FilterLogEvents.', { hint: 'Try again in a moment.' });

    // when
    const told = unreadableLog(failed, 'run-1');

    // then
    expect(told.message).toBe('The log of run run-1 could not be read: AWS throttled logs:FilterLogEvents.');
    expect(told).toBeInstanceOf(TryAgainError);
    expect(told.exitCode).toBe(75);
    expect(told.hint).toBe('Try again in a moment.');
    expect(told.cause).toBe(failed);
    expect(isUnreadableLog(told)).toBe(true);
  });

  it('marks no other error: a log that is not there is told apart', () => {
    const gone = new UnavailableError('The log of run run-1 is gone.');
    expect(isUnreadableLog(gone)).toBe(false);
    expect(isUnreadableLog(retold(gone, 'again'))).toBe(false);
    expect(isUnreadableLog(undefined)).toBe(false);
  });
});
