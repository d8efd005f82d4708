/**
 * A contender of a file lock that read the lock's directory before later
 * holders came and went: the generation it read is gone, and the number
 * after it was passed long ago. It must not take the lock from the holder
 * of the newest generation.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { tempDir } from '../../support/temp-dir.js';

/* The names the lock's next directory read returns, once: what it read before (undefined: the directory as it is). */
const staleRead = vi.hoisted(() => ({ names: undefined as string[] | undefined }));
vi.mock('node:fs/promises', async (original) => {
  const actual = await original<typeof import('node:fs/promises')>();
  const readdir = async (path: string): Promise<string[]> => {
    const names = staleRead.names;
    staleRead.names = undefined;
    return names ?? actual.readdir(path);
  };
  return { ...actual, readdir };
});

const holder = (runId: string) => ({ runId, caller: 'test', since: new Date().toISOString() });

it('gives no lease to a contender whose read of the lock predates two holders: the newest one keeps it', async () => {
  const { acquireFileLock } = await import('../../../lib/core/files/file-lock.js');
  const lock = join(tempDir('cnf-lock-stale'), 'lock');
  // Generations 1 and 2 taken and given back in turn; the third holder keeps its lease (and removed 1 and 2).
  for (const runId of ['first', 'second']) {
    const taken = await acquireFileLock(lock, holder(runId));
    if (!taken.acquired) throw new Error(`${runId} did not get the free lock`);
    await taken.lease.release();
  }
  const newest = await acquireFileLock(lock, holder('newest'));
  if (!newest.acquired) throw new Error('newest did not get the free lock');
  expect(readdirSync(lock)).toEqual(['000000000003.json']);
  try {
    // Read when generation 1 was the newest: it is gone now, so it reads as free, and generation 2 can be created again.
    staleRead.names = ['000000000001.json'];
    const late = await acquireFileLock(lock, holder('late'));
    expect(late).toMatchObject({ acquired: false, holder: { runId: 'newest' } });
    expect(readdirSync(lock)).toEqual(['000000000003.json']);
  } finally {
    await newest.lease.release();
  }
});
