import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLineAndWait, writesSettled } from '../../lib/core/write-line.js';
import { tempDir } from '../support/temp-dir.js';

describe('writesSettled', () => {
  it('resolves once the lines buffered so far are in the file', async () => {
    const file = join(tempDir('cnf-write-line'), 'run.log');
    const log = createWriteStream(file, { flags: 'a' });
    for (const line of ['one', 'two', 'three']) await writeLineAndWait(log, line);
    await writesSettled(log);
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\nthree\n');
    log.end();
  });

  it('resolves once a write that fails has failed, so that errored says so: a full disk (/dev/full)', async () => {
    const log = createWriteStream('/dev/full', { flags: 'a' });
    log.on('error', () => undefined);
    await writeLineAndWait(log, 'a line a full disk refuses');
    // buffered, not yet refused: what a check made at once would miss
    await writesSettled(log);
    expect((log.errored as NodeJS.ErrnoException | null)?.code).toBe('ENOSPC');
    // and on a stream that failed already, at once
    await writesSettled(log);
  });
});
