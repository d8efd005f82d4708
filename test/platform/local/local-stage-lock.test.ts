import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withLocalStageLock } from '../../../lib/platform/local/local-live-pair.js';
import { localPaths } from '../../../lib/platform/local/local-paths.js';
import { tempDir } from '../../support/temp-dir.js';

const HOLDER = { runId: 'deploy-1', caller: 'alice' };

describe('withLocalStageLock', () => {
  it("tells the work's own failure when the lock cannot be given back either (the same full disk)", async () => {
    const paths = localPaths({ stateDir: tempDir('cnf-stage-lock') });
    const lockDir = join(paths.stageDir, 'locks', '.stage');
    // As root, only an immutable directory refuses the release's write, as a full disk would.
    const failing = withLocalStageLock(paths, HOLDER, async () => {
      execFileSync('chattr', ['+i', lockDir]);
      throw new Error('ENOSPC: no space left on device, write .cnf/local/releases/r-0123456789ab/bundle/admin.mjs');
    });
    try {
      await expect(failing).rejects.toThrow(/releases\/r-0123456789ab/);
    } finally {
      execFileSync('chattr', ['-i', lockDir]);
    }
  });

  it('gives the lock back after work that succeeds, and answers what the work did', async () => {
    const paths = localPaths({ stateDir: tempDir('cnf-stage-lock') });
    expect(await withLocalStageLock(paths, HOLDER, async () => 'moved')).toBe('moved');
    expect(await withLocalStageLock(paths, { runId: 'deploy-2', caller: 'bob' }, async () => 'again')).toBe('again');
  });
});
