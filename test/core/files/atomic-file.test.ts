import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeAbandonedTemporaries, writeFileAtomic } from '../../../lib/core/files/atomic-file.js';
import { fileSystemFault } from '../../../lib/core/file-system-fault.js';
import { tempDir } from '../../support/temp-dir.js';

describe('writeFileAtomic', () => {
  it('writes the file whole, leaving no temporary beside it', async () => {
    const dir = tempDir('cnf-atomic');
    await writeFileAtomic(join(dir, 'parameters.json'), '{"a":1}\n', 0o600);
    expect(readdirSync(dir)).toEqual(['parameters.json']);
    expect(readFileSync(join(dir, 'parameters.json'), 'utf8')).toBe('{"a":1}\n');
  });

  it('names the directory that refused the temporary sibling, not the temporary, which never came to be', async () => {
    // given: a directory no one may create files in, root included (immutable)
    const dir = tempDir('cnf-atomic');
    execFileSync('chattr', ['+i', dir]);
    try {
      // when
      const refused = await writeFileAtomic(join(dir, 'parameters.json'), '{}', 0o600).then(
        () => undefined,
        (error: unknown) => error as NodeJS.ErrnoException,
      );

      // then
      expect(refused).toMatchObject({ code: 'EPERM', path: dir, syscall: 'write' });
      expect((fileSystemFault(refused) as Error).message).toBe(`Cannot write ${dir}: operation not permitted (EPERM).`);
    } finally {
      execFileSync('chattr', ['-i', dir]);
    }
  });
});

describe('removeAbandonedTemporaries', () => {
  it("removes what a killed writer staged, and keeps a live writer's and other files'", async () => {
    // given: a writer that has ended (its pid is gone), this process's own write under way, and another file's temporary
    const dir = tempDir('cnf-atomic');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    for (const name of [
      'parameters.json',
      `.tmp-parameters.json-${gone}-0a1b2c3d`,
      `.tmp-parameters.json-${process.pid}-4e5f6a7b`,
      `.tmp-aliases.json-${gone}-0a1b2c3d`,
    ])
      writeFileSync(join(dir, name), 'secret');

    // when
    await removeAbandonedTemporaries(join(dir, 'parameters.json'));

    // then
    expect(readdirSync(dir).sort()).toEqual(
      [`.tmp-aliases.json-${gone}-0a1b2c3d`, `.tmp-parameters.json-${process.pid}-4e5f6a7b`, 'parameters.json'].sort(),
    );
  });
});
