import { appendFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunFrame } from '../../../lib/core/platform.js';
import { ownerGoneReason, RUN_ENDED, stoppedMessage } from '../../../lib/core/run-log.js';
import type { RunRecord } from '../../../lib/core/run.js';
import { localLogs } from '../../../lib/platform/local/local-logs.js';
import { localPaths, runLogFile } from '../../../lib/platform/local/local-paths.js';
import type { RunLedger } from '../../../lib/runtime/ledger/run-ledger.js';
import { tempDir } from '../../support/temp-dir.js';

const runId = '20261205-110000-follow';

const running: RunRecord = {
  runId,
  task: 'chatty',
  args: {},
  release: 'r-0123456789ab',
  source: 'cli',
  caller: 'alice',
  startedAt: '2026-12-05T11:00:00.000Z',
  log: 'x',
};

/** The frames of the run's whole log, its end line last, then its result: no notice that the log was cut short. */
function expectWholeLog(frames: readonly RunFrame[]): void {
  expect(frames.filter((frame) => frame.type === 'log').map((frame) => (frame.type === 'log' ? frame.line : ''))).toEqual([
    'first',
    'second',
    expect.stringContaining(RUN_ENDED),
  ]);
  expect(frames.some((frame) => frame.type === 'notice')).toBe(false);
  expect(frames.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 0 } });
}

describe('localLogs --follow', () => {
  it('reads the lines written while it was reading, before it ends on a run that ended meanwhile: whole, and no word of a log cut short', async () => {
    const paths = localPaths({ stateDir: tempDir('cnf-local-logs') });
    const file = runLogFile(paths, runId);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'first\n');
    let record: RunRecord = running;
    const ledger = { get: async () => record } as unknown as RunLedger;
    const frames: RunFrame[] = [];
    for await (const frame of localLogs(paths, ledger, runId, { follow: true })) {
      frames.push(frame);
      // A slow reader: while it shows the first line, the run writes the rest of its log and ends.
      if (frames.length === 1) {
        appendFileSync(file, `second\n${JSON.stringify({ level: 'info', message: RUN_ENDED, runId, exitCode: 0, durationMs: 5 })}\n`);
        record = { ...running, endedAt: '2026-12-05T11:00:01.000Z', exitCode: 0, durationMs: 5 };
      }
    }
    expectWholeLog(frames);
  });

  it('waits for the lines its writer still appends after the run recorded its end (megabytes of output), rather than calling the log cut short', async () => {
    const paths = localPaths({ stateDir: tempDir('cnf-local-logs') });
    const file = runLogFile(paths, runId);
    mkdirSync(dirname(file), { recursive: true });
    // The run has ended, and recorded so; the CLI that started it has written only the first of its lines yet.
    writeFileSync(file, 'first\n');
    const ledger = {
      get: async () => ({ ...running, endedAt: '2026-12-05T11:00:01.000Z', exitCode: 0, durationMs: 5 }),
    } as unknown as RunLedger;
    const late = setTimeout(
      () => appendFileSync(file, `second\n${JSON.stringify({ level: 'info', message: RUN_ENDED, runId, exitCode: 0, durationMs: 5 })}\n`),
      500,
    );
    const frames: RunFrame[] = [];
    for await (const frame of localLogs(paths, ledger, runId, { follow: true })) frames.push(frame);
    clearTimeout(late);
    expectWholeLog(frames);
  });

  it('says a log with no end line is cut short at once when its time is set far ahead of the clock, rather than waiting for it to settle', async () => {
    const paths = localPaths({ stateDir: tempDir('cnf-local-logs') });
    const file = runLogFile(paths, runId);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'first\n');
    const ahead = new Date(Date.now() + 3_600_000);
    utimesSync(file, ahead, ahead);
    const ledger = {
      get: async () => ({ ...running, endedAt: '2026-12-05T11:00:01.000Z', exitCode: 0, durationMs: 5 }),
    } as unknown as RunLedger;
    const frames: RunFrame[] = [];
    for await (const frame of localLogs(paths, ledger, runId, { follow: true })) frames.push(frame);
    expect(frames.map((frame) => frame.type)).toEqual(['log', 'notice', 'result']);
    // A reader held by the time ahead would wait for good: the test's own time limit below ends it, failed.
  }, 10_000);

  it('says a log ends early because the CLI that wrote it was killed, not that the disk was full', async () => {
    const paths = localPaths({ stateDir: tempDir('cnf-local-logs') });
    const file = runLogFile(paths, runId);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'tick 1\n');
    const ended: RunRecord = {
      ...running,
      endedAt: '2026-12-05T11:00:01.000Z',
      exitCode: 130,
      interruptedAt: '2026-12-05T11:00:00.500Z',
      error: { name: 'InterruptedError', message: stoppedMessage(ownerGoneReason(4242)) },
    };
    const ledger = { get: async () => ended } as unknown as RunLedger;
    const notices: string[] = [];
    for await (const frame of localLogs(paths, ledger, runId)) if (frame.type === 'notice') notices.push(frame.message);
    expect(notices).toEqual([
      `The log of run ${runId} ends before the run did: the cnf-admin process that wrote it was killed, so what the run wrote after that was not kept. The run's end, as the ledger records it, follows.`,
    ]);
  });
});
