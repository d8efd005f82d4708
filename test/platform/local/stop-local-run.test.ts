import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../lib/core/errors.js';
import { stopLocalRun } from '../../../lib/platform/local/stop-local-run.js';
import { FileLedger } from '../../../lib/runtime/ledger/file-ledger.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnf-stop-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('stopLocalRun', () => {
  it('refuses a console evaluation in progress (64), saying that its console stops it, not that an older cnf-admin started it', async () => {
    const ledger = new FileLedger(dir);
    const runId = '20261206-080154-2yrv7h';
    await ledger.claim({
      runId,
      task: 'cnf:console',
      args: { code: 'await new Promise(() => {})', session: 'console-1' },
      release: 'r-0123456789ab',
      source: 'cli',
      caller: 'me@host',
      startedAt: new Date().toISOString(),
      log: join(dir, 'logs', `${runId}.log`),
    });
    const refusal = stopLocalRun(ledger, join(dir, 'logs'), runId);
    await expect(refusal).rejects.toBeInstanceOf(UsageError);
    await expect(refusal).rejects.toThrow(`Run ${runId} is a console evaluation: its console stops it; nothing stopped.`);
    expect((await ledger.get(runId))?.endedAt).toBeUndefined();
  });
});
