import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changesIn } from '../../../lib/platform/local/directory-changes.js';
import { tempDir } from '../../support/temp-dir.js';

/* Far longer than any wait below should take: a wait that lasts it was not woken. */
const LONG_MS = 30_000;

describe('changesIn', () => {
  it('ends a wait when a file in the directory changes, long before its poll', async () => {
    const dir = tempDir('cnf-changes');
    const changes = changesIn(dir);
    try {
      const started = Date.now();
      const woken = changes.next(LONG_MS);
      writeFileSync(join(dir, 'postmaster.pid'), 'ready\n');
      await woken;
      expect(Date.now() - started).toBeLessThan(LONG_MS / 2);
    } finally {
      changes.close();
    }
  });

  it('waits the poll alone where the directory cannot be watched', async () => {
    const changes = changesIn(join(tmpdir(), 'cnf-no-such-directory', 'data'));
    try {
      const started = Date.now();
      await changes.next(20);
      expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    } finally {
      changes.close();
    }
  });
});
