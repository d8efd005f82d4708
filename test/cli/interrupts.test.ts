import { beforeAll, describe, expect, it, vi } from 'vitest';
import { memoryIo } from '../support/memory-io.js';

let unstoppable: typeof import('../../lib/cli/interrupts.js').unstoppable;
let beforeChange: typeof import('../../lib/cli/interrupts.js').beforeChange;

beforeAll(async () => {
  // Under npx (as `npx vitest` runs), a signal soon after another reads as npm's echo of it: not here.
  vi.stubEnv('npm_lifecycle_event', 'test');
  vi.resetModules();
  ({ unstoppable, beforeChange } = await import('../../lib/cli/interrupts.js'));
});

describe('unstoppable', () => {
  it('says what a stop signal means as it comes: before the change moved anything, or once it had begun', async () => {
    for (const began of [false, true]) {
      const io = memoryIo(process.cwd());
      let moving = false;
      const reported = await unstoppable(
        io,
        () => (moving ? 'the move finishes' : 'nothing moves'),
        async (interrupted) => {
          moving = began;
          process.emit('SIGINT', 'SIGINT');
          process.emit('SIGINT', 'SIGINT');
          return interrupted() ? 'interrupted' : 'not interrupted';
        },
      );
      expect(reported).toBe('interrupted');
      // Once: the second signal adds nothing.
      expect(io.stderrText()).toBe(`! ${began ? 'the move finishes' : 'nothing moves'}\n`);
    }
  });

  it('holds the signals until the change and its report are done, then lets them go', async () => {
    const io = memoryIo(process.cwd());
    const before = process.listenerCount('SIGINT');
    const steps: string[] = [];
    await unstoppable(io, 'finishes first', async () => {
      steps.push('changed');
      process.emit('SIGINT', 'SIGINT');
      steps.push('reported');
    });
    expect(steps).toEqual(['changed', 'reported']);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('beforeChange', () => {
  it('ends the CLI at once with 130 and one line on a stop signal before the change, and leaves the signals alone after', async () => {
    const io = memoryIo(process.cwd());
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      const prepared = await beforeChange(io, 'nothing was set', async () => {
        process.emit('SIGINT', 'SIGINT');
        return 'prepared';
      });
      expect(exit).toHaveBeenCalledWith(130);
      expect(io.stderrText()).toBe('cnf-admin: Interrupted: nothing was set.\n');
      expect(prepared).toBe('prepared');
      exit.mockClear();
      process.emit('SIGINT', 'SIGINT');
      expect(exit).not.toHaveBeenCalled();
    } finally {
      exit.mockRestore();
    }
  });
});
