import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { leftoverOutputRead } from '../../../lib/platform/local/leftover-output.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Whether `promise` has settled by now (after the microtasks already due). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('leftoverOutputRead', () => {
  it('lets a slow reader have all the run left in its pipes, however long it is paused, then ends once they are silent', async () => {
    vi.useFakeTimers();
    const pipe = new PassThrough();
    pipe.write('x'.repeat(100_000));
    pipe.pause();
    const never = new Promise<void>(() => undefined);
    const done = leftoverOutputRead([pipe], Promise.resolve(), never);
    // a reader behind for a minute, no other writer: the run's own output is kept for it
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await settled(done)).toBe(false);
    let read = 0;
    pipe.on('data', (chunk: Buffer) => {
      read += chunk.length;
    });
    pipe.resume();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await settled(done)).toBe(true);
    expect(read).toBe(100_000);
  });

  it('lets go of pipes a leftover keeps writing to, read for 2 s or past 1 MiB', async () => {
    vi.useFakeTimers();
    const pipe = new PassThrough();
    const never = new Promise<void>(() => undefined);
    const done = leftoverOutputRead([pipe], Promise.resolve(), never);
    pipe.on('data', () => undefined);
    for (let written = 0; written < 1_100_000; written += 10_000) {
      pipe.write('y\n'.repeat(5_000));
      await vi.advanceTimersByTimeAsync(20);
    }
    await vi.advanceTimersByTimeAsync(500);
    expect(await settled(done)).toBe(true);
  });
});
