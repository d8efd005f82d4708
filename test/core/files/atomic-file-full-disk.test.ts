/**
 * writeFileAtomic on a full disk: the write into the temporary's open file
 * fails with ENOSPC and no path. fs/promises' writeFile is replaced here by
 * one that creates the file, as the real one does, and then fails so.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { fileSystemFault } from '../../../lib/core/file-system-fault.js';
import { writeFileAtomic } from '../../../lib/core/files/atomic-file.js';
import { tempDir } from '../../support/temp-dir.js';

vi.mock('node:fs/promises', async (original) => {
  const real = await original<typeof import('node:fs/promises')>();
  return {
    ...real,
    writeFile: async (path: string) => {
      await real.writeFile(path, '');
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    },
  };
});

describe('writeFileAtomic on a full disk', () => {
  it('names the file it could not write, and leaves no temporary beside it', async () => {
    const dir = tempDir('cnf-atomic-full');
    const file = join(dir, '000000000002.json');
    const failed = await writeFileAtomic(file, '{"runId":"x"}').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toMatchObject({ code: 'ENOSPC', path: file });
    expect(String((fileSystemFault(failed) as Error).message)).toBe(`No space left on the device: cannot write ${file} (ENOSPC).`);
    expect(readdirSync(dir)).toEqual([]);
  });
});
