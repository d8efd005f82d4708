/**
 * The contracts lib/core owns between the runtime, which writes a run's
 * result and log, and the CLI and platforms, which read them: checked on
 * what the real admin handler writes.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunFrame } from '../../lib/core/platform.js';
import { REFUSAL_NAMES } from '../../lib/core/refusal.js';
import { FrameDecoder } from '../../lib/core/run-frames.js';
import { RUN_ENDED, runEndedOf } from '../../lib/core/run-log.js';
import { isRefusal, type RunResult } from '../../lib/core/run.js';
import { createAdminHandler, type AdminHandler } from '../../lib/runtime/admin-handler.js';
import { defineTask } from '../../lib/runtime/define-task.js';
import { FileLedger } from '../../lib/runtime/ledger/file-ledger.js';
import { tempDir } from '../support/temp-dir.js';

const RELEASE = 'r-0123456789ab';

let dir: string;

function adminHandler(): AdminHandler {
  return createAdminHandler({
    ledger: new FileLedger(join(dir, 'ledger')),
    tasks: {
      quits: async () => ({
        default: defineTask({
          name: 'quits',
          description: 'Ends with exit code 3',
          run: async (context) => {
            context.exitCode = 3;
          },
        }),
      }),
    },
  });
}

/** Invokes the handler as the CLI does on AWS (frames), and returns its log lines and result. */
async function invoke(event: Record<string, unknown>): Promise<{ lines: string[]; result: RunResult }> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await adminHandler()(event, stream, { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 });
  const decoder = new FrameDecoder();
  const frames: RunFrame[] = [...decoder.push(Buffer.concat(chunks).toString('utf8')), ...decoder.end()];
  const result = frames.flatMap((frame) => (frame.type === 'result' ? [frame.result] : []))[0];
  if (result === undefined) throw new Error('the handler streamed no result');
  return { lines: frames.flatMap((frame) => (frame.type === 'log' ? [frame.line] : [])), result };
}

describe('the contracts between the runtime and its readers', () => {
  beforeEach(() => {
    dir = tempDir('cnf-run-log');
    writeFileSync(join(dir, 'parameters.json'), JSON.stringify({ parameters: {} }));
    vi.stubEnv('CNF_PARAMETER_FILE', join(dir, 'parameters.json'));
    vi.stubEnv('CNF_RELEASE', RELEASE);
    vi.stubEnv('CNF_STAGE', 'prod');
    vi.stubGlobal('awslambda', { streamifyResponse: <T>(handler: T): T => handler });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads a run's result from the Run ended line the runtime logs", async () => {
    const { lines, result } = await invoke({ task: 'quits', runId: 'run-1', stream: true });

    const ended = lines.map((line) => runEndedOf(line, 'run-1')).filter((found) => found !== undefined);
    expect(ended).toEqual([{ runId: 'run-1', task: 'quits', release: RELEASE, exitCode: 3, durationMs: expect.any(Number) }]);
    expect(result.exitCode).toBe(3);
    expect(lines.filter((line) => line.includes(RUN_ENDED)).map((line) => runEndedOf(line, 'another-run'))).toEqual([undefined]);
  });

  it('names each refusal with a RefusalName, which the readers tell from a failed run', async () => {
    const unknown = await invoke({ task: 'nope', runId: 'run-2', stream: true });
    const badEvent = await invoke({ task: 42, stream: true });
    const failed = await invoke({ task: 'quits', runId: 'run-3', stream: true });

    expect([unknown.result.error?.name, badEvent.result.error?.name]).toEqual(['UnknownTask', 'InvalidEvent']);
    expect(REFUSAL_NAMES).toEqual(expect.arrayContaining(['UnknownTask', 'InvalidEvent']));
    expect([isRefusal(unknown.result), isRefusal(badEvent.result), isRefusal(failed.result)]).toEqual([true, true, false]);
  });
});
