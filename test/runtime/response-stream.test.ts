import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { FrameDecoder, runResultOfPayload } from '../../lib/core/run-frames.js';
import type { RunFrame } from '../../lib/core/platform.js';
import { createAdminHandler, type AdminHandler } from '../../lib/runtime/admin-handler.js';
import { defineTask } from '../../lib/runtime/define-task.js';
import { LOG_FRAME_BUDGET_BYTES } from '../../lib/runtime/response-stream.js';
import { FileLedger } from '../../lib/runtime/ledger/file-ledger.js';
import { tempDir } from '../support/temp-dir.js';

const RELEASE = 'r-0123456789ab';
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

let dir: string;
let runs: number;
let chattyMegabytes: number;

function adminHandler(): AdminHandler {
  return createAdminHandler({
    ledger: new FileLedger(join(dir, 'ledger')),
    tasks: {
      greet: async () => ({
        default: defineTask({
          name: 'greet',
          description: 'Logs and prints a greeting',
          args: z.strictObject({ name: z.string() }),
          run: async ({ args, log }) => {
            runs += 1;
            // A chatty task: this many megabytes of plain output.
            for (let megabyte = 0; megabyte < chattyMegabytes; megabyte += 1) process.stdout.write(`${'x'.repeat(1024 * 1024 - 1)}\n`);
            log.info('greeting', { name: args.name });
            console.log('hello %s', args.name);
            return { greeted: args.name };
          },
        }),
      }),
    },
  });
}

/** Calls the handler the way Lambda's runtime calls a streaming handler, and collects what it streamed. */
async function invokeStreaming(handler: AdminHandler, event: unknown): Promise<string> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await handler(event, stream, { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 });
  return Buffer.concat(chunks).toString('utf8');
}

function framesOf(text: string): RunFrame[] {
  const decoder = new FrameDecoder();
  return [...decoder.push(text), ...decoder.end()];
}

describe('withResponseStreaming (the admin function in Lambda)', () => {
  beforeEach(() => {
    dir = tempDir('cnf-stream');
    writeFileSync(join(dir, 'parameters.json'), JSON.stringify({ parameters: {} }));
    vi.stubEnv('CNF_PARAMETER_FILE', join(dir, 'parameters.json'));
    vi.stubEnv('CNF_RELEASE', RELEASE);
    vi.stubEnv('CNF_STAGE', 'prod');
    // Lambda's runtime marks a handler as streaming through its awslambda global.
    vi.stubGlobal('awslambda', {
      streamifyResponse: <T extends object>(handler: T): T => Object.assign(handler, { [STREAMING]: 'response' }),
    });
    // Powertools writes the run's log to stdout: keep it out of the test output.
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    runs = 0;
    chattyMegabytes = 0;
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is marked as a streaming handler for the Lambda runtime, and keeps describe()', async () => {
    // when
    const handler = adminHandler();

    // then
    expect((handler as unknown as Record<symbol, unknown>)[STREAMING]).toBe('response');
    expect((await handler.describe()).tasks.map((task) => task.name)).toEqual(['greet']);
  });

  it('streams each log line as a frame while the task runs, then the result', async () => {
    // given
    const handler = adminHandler();

    // when
    const text = await invokeStreaming(handler, { task: 'greet', args: { name: 'Ada' }, runId: 'run-1', source: 'cli', stream: true });

    // then: the run's structured lines and the console line arrive as log frames, the result last
    const frames = framesOf(text);
    const lines = frames.flatMap((frame) => (frame.type === 'log' ? [frame.line] : []));
    expect(lines.some((line) => JSON.parse(line).message === 'Run started')).toBe(true);
    expect(lines.some((line) => line.includes('"greeting"') && line.includes('"runId":"run-1"'))).toBe(true);
    expect(lines).toContain('hello Ada');
    expect(frames.at(-1)).toEqual({
      type: 'result',
      result: expect.objectContaining({ runId: 'run-1', task: 'greet', release: RELEASE, exitCode: 0, output: { greeted: 'Ada' } }),
    });
  });

  it('answers a plain invoke (console, schedule, release phase) with the run result alone', async () => {
    // given
    const handler = adminHandler();

    // when: the event does not ask for frames
    const text = await invokeStreaming(handler, { task: 'greet', args: { name: 'Bob' }, runId: 'run-2' });

    // then: the payload is one JSON object, the run result
    expect(JSON.parse(text)).toEqual(expect.objectContaining({ runId: 'run-2', exitCode: 0, output: { greeted: 'Bob' } }));
    expect(runResultOfPayload(text)?.runId).toBe('run-2');
  });

  it('runs nothing when the event was planned for another release (exit 78)', async () => {
    // given
    const handler = adminHandler();

    // when
    const text = await invokeStreaming(handler, {
      task: 'greet',
      args: { name: 'Eve' },
      runId: 'run-3',
      release: 'r-ffffffffffff',
      stream: true,
    });

    // then
    expect(runResultOfPayload(text)).toEqual(
      expect.objectContaining({ runId: 'run-3', exitCode: 78, error: expect.objectContaining({ name: 'ReleaseMismatch' }) }),
    );
    expect(runs).toBe(0);
  });

  it('still resolves to the run result when called with a context, as the local stage calls it', async () => {
    // given: no Lambda runtime around it
    vi.unstubAllGlobals();
    const handler = adminHandler();

    // when
    const result = await handler({ task: 'greet', args: { name: 'Cy' }, runId: 'run-4', release: RELEASE }, { awsRequestId: 'local' });

    // then
    expect(result).toEqual(expect.objectContaining({ runId: 'run-4', exitCode: 0, output: { greeted: 'Cy' } }));
    expect(runs).toBe(1);
  });

  it('stops sending log lines past its budget, says so, and still sends the result', async () => {
    // given: a task that prints more than the budget
    const handler = adminHandler();
    chattyMegabytes = LOG_FRAME_BUDGET_BYTES / 1024 / 1024 + 2;

    // when
    const text = await invokeStreaming(handler, { task: 'greet', args: { name: 'Max' }, runId: 'run-5', stream: true });

    // then
    const frames = framesOf(text);
    expect(Buffer.byteLength(text)).toBeLessThan(LOG_FRAME_BUDGET_BYTES + 64 * 1024);
    expect(frames.filter((frame) => frame.type === 'notice')).toEqual([
      { type: 'notice', message: "The run's output passed 16 MB; the rest is in its CloudWatch log only." },
    ]);
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { runId: 'run-5', exitCode: 0 } });
  });
});
