import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeAbandonedTemporaries, writeFileAtomic } from '../../../lib/core/files/atomic-file.js';
import { tempDir } from '../../support/temp-dir.js';

describe('writeFileAtomic', () => {
  it('writes the file whole, leaving no temporary beside it', async () => {
    const dir = tempDir('cnf-atomic');
    await writeFileAtomic(join(dir, 'parameters.json'), '{"a":1}\n', 0o600);
    expect(readdirSync(dir)).toEqual(['parameters.json']);
    expect(readFileSync(join(dir, 'parameters.json'), 'utf8')).toBe('{"a":1}\n');
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
