/**
 * A run stopped as asked records its end and exits; a reader that read the
 * record just before, and finds the owner gone just after, must not record
 * the run as lost over that end. The liveness check is replaced here by one
 * that writes the end first, as the owner does right then.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { RunRecord } from '../../../lib/core/run.js';
import { FileLedger } from '../../../lib/runtime/ledger/file-ledger.js';
import { tempDir } from '../../support/temp-dir.js';

const meanwhile = vi.hoisted(() => ({ write: (): void => undefined }));

vi.mock('../../../lib/core/run-owner-liveness.js', async (original) => ({
  ...(await original<typeof import('../../../lib/core/run-owner-liveness.js')>()),
  isOwnerGone: () => {
    meanwhile.write();
    return true;
  },
}));

describe('FileLedger, a run whose owner records its end and exits as it is read', () => {
  it('keeps the end the owner recorded: no RunLostError over a run stopped as asked', async () => {
    const dir = tempDir('cnf-ledger-meanwhile');
    const ledger = new FileLedger(dir);
    const running: RunRecord = {
      runId: 'stop-detached',
      task: 'wait-for-stop',
      args: {},
      release: 'r-0123456789ab',
      source: 'cli',
      caller: 'alice',
      startedAt: new Date().toISOString(),
      log: '/tmp/x.log',
      owner: { pid: 1_999_999, startTime: 'then', host: 'here' },
    };
    await ledger.claim(running);
    const ended = {
      ...running,
      endedAt: new Date().toISOString(),
      exitCode: 130,
      interruptedAt: new Date().toISOString(),
      durationMs: 200,
    };
    meanwhile.write = () => writeFileSync(join(dir, 'runs', 'stop-detached.json'), JSON.stringify(ended));
    const read = await ledger.get('stop-detached');
    expect(read).toMatchObject({ exitCode: 130, endedAt: ended.endedAt });
    expect(read?.error).toBeUndefined();
    meanwhile.write = () => undefined;
    expect((await ledger.get('stop-detached'))?.error).toBeUndefined();
  });
});
