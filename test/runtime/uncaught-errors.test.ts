import { afterEach, describe, expect, it } from 'vitest';
import { catchUncaught } from '../../lib/runtime/uncaught-errors.js';

describe('catchUncaught', () => {
  const added: (() => void)[] = [];

  afterEach(() => {
    for (const listener of added.splice(0)) process.off('uncaughtException', listener);
  });

  it('takes uncaught exceptions and unhandled rejections for the run, and gives the listeners back', async () => {
    // given: a listener the process had before the run
    const before = (): void => undefined;
    process.on('uncaughtException', before);
    added.push(before);
    const listening = process.listeners('uncaughtException').length;

    // when: a run's guard is in place and an error goes unhandled
    const guard = catchUncaught();
    expect(process.listeners('uncaughtException')).not.toContain(before);
    process.emit('unhandledRejection', new Error('left unhandled'), Promise.resolve());
    process.emit('uncaughtException', new Error('second, ignored'));
    const { error } = await guard.caught;
    guard.release();

    // then: the first error is the run's, and the process's listeners are back
    expect((error as Error).message).toBe('left unhandled');
    expect(process.listeners('uncaughtException')).toContain(before);
    expect(process.listeners('uncaughtException')).toHaveLength(listening);
  });
});
