import { describe, expect, it } from 'vitest';
import { PermissionError, ReleaseMismatchError, TryAgainError, UsageError } from '../../../lib/core/errors.js';
import type { RunFrame } from '../../../lib/core/platform.js';
import type { AdminEvent, RunResult } from '../../../lib/core/run.js';
import { InvokeOutcomeUnknownError } from '../../../lib/platform/aws/invoke-request.js';
import { LIVE_PLAN, RELEASE, runLine, type AwsScenario, type InstalledScenario } from '../../support/aws-scenario.js';
import { fixturePlatform } from '../../support/aws-platform.js';
import { framesOf, logLinesOf, noticesOf, useAwsScenario } from '../../support/aws-test-scenario.js';

const REQUEST_ID = '11111111-2222-3333-4444-555555555555';
const RUN_ID = '20261124-143927-k3f9qz';
const PLAN = LIVE_PLAN;
const EVENT: AdminEvent & { runId: string } = {
  task: 'echo',
  args: { count: 1 },
  runId: RUN_ID,
  source: 'cli',
  caller: 'arn:aws:sts::123456789012:assumed-role/operator/alice',
};
const RESULT = (exitCode: number): RunResult => ({ runId: RUN_ID, task: 'echo', release: RELEASE, exitCode, durationMs: 42 });
const STREAM = '2026/11/24/[5]abcdef';
const NOW = Date.now();

const given = useAwsScenario();

const invokes = (installed: InstalledScenario) => installed.sent().filter((call) => /^Invoke/.test(call.command));

/** The log of a healthy run as CloudWatch holds it: Lambda's lines around the run's own. */
function cloudWatchLog(exitCode: number): AwsScenario['logEvents'] {
  return [
    { message: `START RequestId: ${REQUEST_ID} Version: 5\n`, timestamp: NOW, logStreamName: STREAM },
    { message: `${runLine('Run started')}\n`, timestamp: NOW + 1, logStreamName: STREAM },
    {
      message: JSON.stringify({
        timestamp: '2026-11-24T14:39:27.200Z',
        level: 'INFO',
        requestId: REQUEST_ID,
        message: 'plain console line',
      }),
      timestamp: NOW + 2,
      logStreamName: STREAM,
    },
    { message: `${runLine('Run ended', { exitCode, durationMs: 42 })}\n`, timestamp: NOW + 3, logStreamName: STREAM },
    { message: `END RequestId: ${REQUEST_ID}\n`, timestamp: NOW + 4, logStreamName: STREAM },
    { message: `REPORT RequestId: ${REQUEST_ID}\tDuration: 52.1 ms\tBilled Duration: 53 ms\n`, timestamp: NOW + 5, logStreamName: STREAM },
  ];
}

describe('AwsPlatform.invoke', () => {
  it("streams the run's output live, then the rest of its CloudWatch log, then its result with the task's exit code", async () => {
    // given: the function streams its two run lines, a console line, then the result (exit 3)
    const installed = given({
      stream: {
        frames: [
          { type: 'log', line: runLine('Run started') },
          { type: 'log', line: 'plain console line' },
          { type: 'log', line: runLine('Run ended', { exitCode: 3, durationMs: 42 }) },
          { type: 'result', result: RESULT(3) },
        ],
      },
      logEvents: cloudWatchLog(3),
    });

    // when
    const frames = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then: each line shows once; Lambda's own lines come from CloudWatch; the result is last
    expect(logLinesOf(frames).map((line) => line.replace(/\t.*/, ''))).toEqual([
      runLine('Run started').replace('$RUN_ID', RUN_ID),
      'plain console line',
      runLine('Run ended', { exitCode: 3, durationMs: 42 }).replace('$RUN_ID', RUN_ID),
      `START RequestId: ${REQUEST_ID} Version: 5`,
      `END RequestId: ${REQUEST_ID}`,
      `REPORT RequestId: ${REQUEST_ID}`,
    ]);
    expect(frames.at(-1)).toEqual({ type: 'result', result: RESULT(3) });
    // and: the admin version was invoked once, streaming, asking for frames, planned for the release
    const [invoke, ...others] = invokes(installed);
    expect(others).toEqual([]);
    expect(invoke?.command).toBe('InvokeWithResponseStreamCommand');
    expect(invoke?.input).toMatchObject({ FunctionName: 'fixture-prod-admin', Qualifier: '5' });
    expect(JSON.parse(Buffer.from(invoke?.input.Payload as Uint8Array).toString())).toEqual({ ...EVENT, release: RELEASE, stream: true });
  });

  it("shows no line of a retry of the run id sent beside it: another invocation's 'already ran' is its own", async () => {
    // given: a retry of the same run id, invoked at once, which ran nothing and said so in a stream of its own
    const retry = runLine(`Run ${RUN_ID} already ran (ended 2026-11-24T14:39:27.300Z, exit 3); nothing ran again.`, {
      function_request_id: '99999999-8888-7777-6666-555555555555',
    });
    given({
      stream: {
        frames: [
          { type: 'log', line: runLine('Run started') },
          { type: 'log', line: runLine('Run ended', { exitCode: 3, durationMs: 42 }) },
          { type: 'result', result: RESULT(3) },
        ],
      },
      logEvents: [
        ...(cloudWatchLog(3) ?? []),
        { message: `${retry}\n`, timestamp: NOW + 6, logStreamName: '2026/11/24/[5]fedcba' },
        { message: `${runLine('a line of its own', { function_request_id: REQUEST_ID })}\n`, timestamp: NOW + 7, logStreamName: STREAM },
      ],
    });

    // when
    const frames = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then: the run's own lines all show, the retry's none
    const lines = logLinesOf(frames).join('\n');
    expect(lines).toContain('a line of its own');
    expect(lines).not.toContain('already ran');
    expect(frames.at(-1)).toEqual({ type: 'result', result: RESULT(3) });
  });

  it('ends with exit 124 when the function times out, showing its last log lines', async () => {
    // given
    given({
      stream: {
        frames: [{ type: 'log', line: runLine('still migrating') }],
        complete: { ErrorCode: 'Sandbox.Timedout', ErrorDetails: 'Task timed out after 900.00 seconds' },
      },
      logEvents: [
        { message: runLine('still migrating'), timestamp: NOW, logStreamName: STREAM },
        {
          message: `2026-11-24T14:54:27.000Z ${REQUEST_ID} Task timed out after 900.00 seconds`,
          timestamp: NOW + 1,
          logStreamName: STREAM,
        },
        { message: `REPORT RequestId: ${REQUEST_ID}\tDuration: 900000.00 ms\tStatus: timeout`, timestamp: NOW + 2, logStreamName: STREAM },
      ],
    });

    // when
    const frames = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    expect(logLinesOf(frames).join('\n')).toContain('Task timed out after 900.00 seconds');
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 124, error: { name: 'FunctionTimeoutError' } } });
  });

  it('ends with exit 70 when the function crashes or runs out of memory', async () => {
    // given
    given({
      stream: {
        frames: [{ type: 'log', line: runLine('loading everything') }],
        complete: {
          ErrorCode: 'Runtime.ExitError',
          ErrorDetails: '{"errorType":"Runtime.ExitError","errorMessage":"RequestId: x Error: Runtime exited with error: signal: killed"}',
        },
      },
      logEvents: [
        {
          message: `REPORT RequestId: ${REQUEST_ID}\tStatus: error\tError Type: Runtime.OutOfMemory`,
          timestamp: NOW,
          logStreamName: STREAM,
        },
      ],
    });

    // when
    const frames = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    expect(logLinesOf(frames)).toContain(runLine('loading everything').replace('$RUN_ID', RUN_ID));
    expect(frames.at(-1)).toMatchObject({
      type: 'result',
      result: { exitCode: 70, error: { name: 'FunctionCrashedError', message: expect.stringContaining('signal: killed') } },
    });
  });

  it('ends with exit 70 when the function answers without a run result', async () => {
    // given
    given({ stream: { chunks: ['not a frame\n'] }, logEvents: [{ message: `REPORT RequestId: ${REQUEST_ID}`, timestamp: NOW }] });

    // when
    const frames = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 70 } });
  });

  it('refuses with exit 78 when Lambda ran another version than planned', async () => {
    // given
    given({ stream: { executedVersion: '6', frames: [{ type: 'result', result: RESULT(0) }] } });

    // when / then
    await expect(framesOf(fixturePlatform().invoke(PLAN, EVENT))).rejects.toBeInstanceOf(ReleaseMismatchError);
  });

  it('falls back to a synchronous invoke where streaming is unavailable, and shows the whole log from CloudWatch', async () => {
    // given
    const installed = given({
      errors: {
        InvokeWithResponseStream: [{ name: 'UnknownOperationException', message: 'Unknown operation', fault: 'client', status: 404 }],
      },
      invoke: { payload: JSON.stringify(RESULT(0)) },
      logEvents: cloudWatchLog(0),
    });

    // when
    const frames = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    expect(noticesOf(frames)).toMatch(/cannot stream here/);
    expect(logLinesOf(frames)).toHaveLength(6);
    expect(frames.at(-1)).toEqual({ type: 'result', result: RESULT(0) });
    const sync = invokes(installed).filter((call) => call.command === 'InvokeCommand');
    expect(sync).toHaveLength(1);
    expect(JSON.parse(Buffer.from(sync[0]?.input.Payload as Uint8Array).toString())).not.toHaveProperty('stream');
  });

  it('maps a timed-out synchronous fallback to exit 124', async () => {
    // given
    given({
      errors: { InvokeWithResponseStream: [{ name: 'UnknownOperationException', fault: 'client', status: 404 }] },
      invoke: {
        functionError: 'Unhandled',
        payload: '{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: x Error: Task timed out after 3.00 seconds"}',
      },
      logEvents: [{ message: `REPORT RequestId: ${REQUEST_ID}\tStatus: timeout`, timestamp: NOW }],
    });

    // when
    const frames = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 124 } });
  });

  it('retries a throttled invoke (the function did not run), and runs it once', async () => {
    // given
    const throttled = { name: 'TooManyRequestsException', message: 'Rate Exceeded.', fault: 'client', status: 429 } as const;
    const installed = given({
      errors: { InvokeWithResponseStream: [throttled, throttled] },
      stream: { frames: [{ type: 'result', result: RESULT(0) }] },
      logEvents: cloudWatchLog(0),
    });

    // when
    const frames = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    expect(frames.at(-1)).toEqual({ type: 'result', result: RESULT(0) });
    expect(invokes(installed)).toHaveLength(3);
  });

  it('gives up on a throttled invoke after a bounded number of attempts, with exit 75', async () => {
    // given: throttled more often than the platform retries (3 waits in the test timing)
    const throttled = { name: 'TooManyRequestsException', message: 'Rate Exceeded.', fault: 'client', status: 429 } as const;
    const installed = given({ errors: { InvokeWithResponseStream: [throttled, throttled, throttled, throttled, throttled] } });

    // when
    const invoking = framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    await expect(invoking).rejects.toBeInstanceOf(TryAgainError);
    await expect(invoking).rejects.toThrow(/throttled the invoke of fixture-prod-admin:5 4 times .*nothing ran/);
    expect(invokes(installed)).toHaveLength(4);
  });

  it('does not retry a 5xx: it says the run may have happened and how to check', async () => {
    // given
    const installed = given({
      errors: { InvokeWithResponseStream: [{ name: 'ServiceException', message: 'Internal error', fault: 'server', status: 500 }] },
    });

    // when
    const invoking = framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    await expect(invoking).rejects.toBeInstanceOf(InvokeOutcomeUnknownError);
    await expect(invoking).rejects.toMatchObject({
      exitCode: 69,
      message: expect.stringContaining(`Run ${RUN_ID} may or may not have happened`),
      hint: expect.stringContaining(`cnf-admin runs show ${RUN_ID} --stage prod`),
    });
    expect(invokes(installed)).toHaveLength(1);
  });

  it('says a connection dropped during the invoke was dropped, not that Lambda failed, and never invokes again', async () => {
    // given: the SDK names a reset TimeoutError
    const installed = given({
      errors: { InvokeWithResponseStream: [{ name: 'TimeoutError', message: 'socket hang up', code: 'ECONNRESET' }] },
    });

    // when
    const invoking = framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    await expect(invoking).rejects.toMatchObject({
      exitCode: 69,
      message: `The connection to Lambda was dropped during the invoke of fixture-prod-admin:5 (socket hang up). Run ${RUN_ID} may or may not have happened; it is not retried.`,
    });
    expect(invokes(installed)).toHaveLength(1);
  });

  it('follows the log by run id when the stream breaks, and never invokes again', async () => {
    // given: the connection breaks after the first line; the run goes on and logs its end
    const installed = given({
      stream: { frames: [{ type: 'log', line: runLine('Run started') }], after: 'break' },
      logEvents: [
        { message: runLine('Run started'), timestamp: NOW, logStreamName: STREAM },
        { message: runLine('migrated', { table: 'notes' }), timestamp: NOW + 1, logStreamName: STREAM },
        { message: runLine('Run ended', { exitCode: 0, durationMs: 1200 }), timestamp: NOW + 2, logStreamName: STREAM },
      ],
    });

    // when
    const frames = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    expect(noticesOf(frames)).toMatch(/connection to Lambda broke .*following its log by run id \(it is not invoked again\)/);
    expect(logLinesOf(frames).filter((line) => line.includes('Run started'))).toHaveLength(1);
    expect(logLinesOf(frames).join('\n')).toContain('migrated');
    expect(frames.at(-1)).toEqual({
      type: 'result',
      result: { runId: RUN_ID, task: 'echo', release: RELEASE, exitCode: 0, durationMs: 1200 },
    });
    expect(invokes(installed)).toHaveLength(1);
  });

  it('refuses a payload over Lambda limit before sending anything (exit 64)', async () => {
    // given
    const installed = given({});
    const huge = { ...EVENT, args: { blob: 'x'.repeat(6 * 1024 * 1024) } };

    // when
    const invoking = framesOf(fixturePlatform().invoke(PLAN, huge));

    // then
    await expect(invoking).rejects.toBeInstanceOf(UsageError);
    await expect(invoking).rejects.toThrow(/Lambda takes at most 6,291,456 bytes \(6 MB\) for an attached invoke; nothing was sent/);
    expect(invokes(installed)).toEqual([]);
  });

  it('shows the last lines Lambda returned when the log group is missing, and still passes the exit code through', async () => {
    // given
    const tail = Buffer.from(
      `START RequestId: ${REQUEST_ID}\n${runLine('Run ended', { exitCode: 2, durationMs: 5 }).replace('$RUN_ID', RUN_ID)}\nREPORT RequestId: ${REQUEST_ID}\n`,
    ).toString('base64');
    given({
      logGroupExists: false,
      stream: {
        frames: [
          { type: 'log', line: runLine('Run ended', { exitCode: 2, durationMs: 5 }) },
          { type: 'result', result: RESULT(2) },
        ],
        complete: { LogResult: tail },
      },
    });

    // when
    const frames = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    expect(noticesOf(frames)).toMatch(/Cannot read the run's CloudWatch log: log group \/aws\/lambda\/fixture-prod-admin does not exist/);
    expect(logLinesOf(frames)).toEqual([
      runLine('Run ended', { exitCode: 2, durationMs: 5 }).replace('$RUN_ID', RUN_ID),
      `START RequestId: ${REQUEST_ID}`,
      `REPORT RequestId: ${REQUEST_ID}`,
    ]);
    expect(frames.at(-1)).toEqual({ type: 'result', result: RESULT(2) });
  });

  it('promises no last lines when the log cannot be read and a streamed invoke returned none, and passes the exit code through', async () => {
    // given: FilterLogEvents denied, and Lambda's stream ends with no tail of the log
    const denied = { name: 'AccessDeniedException', message: 'not authorized', fault: 'client', status: 403 } as const;
    given({
      errors: { FilterLogEvents: [denied, denied, denied] },
      stream: {
        frames: [
          { type: 'log', line: runLine('Run ended', { exitCode: 2, durationMs: 5 }) },
          { type: 'result', result: RESULT(2) },
        ],
      },
    });

    // when
    const frames = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    expect(noticesOf(frames)).toMatch(/Cannot read the run's CloudWatch log: Permission denied: logs:FilterLogEvents/);
    expect(noticesOf(frames)).not.toContain('Its last lines');
    expect(noticesOf(frames)).toContain('Lambda returned no more of it');
    expect(logLinesOf(frames)).toEqual([runLine('Run ended', { exitCode: 2, durationMs: 5 }).replace('$RUN_ID', RUN_ID)]);
    expect(frames.at(-1)).toEqual({ type: 'result', result: RESULT(2) });
  });

  it('waits for late log events, and says so when they do not come in time', async () => {
    // given: Lambda's report reaches CloudWatch only on the third read
    given({
      stream: {
        frames: [
          { type: 'log', line: runLine('Run started') },
          { type: 'result', result: RESULT(0) },
        ],
      },
      logEvents: [
        { message: runLine('Run started'), timestamp: NOW, logStreamName: STREAM },
        { message: `REPORT RequestId: ${REQUEST_ID}\tDuration: 1 ms`, timestamp: NOW + 1, logStreamName: STREAM, fromCall: 3 },
      ],
    });

    // when
    const late = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then: the late report is shown, without a notice
    expect(logLinesOf(late)).toContain(`REPORT RequestId: ${REQUEST_ID}\tDuration: 1 ms`);
    expect(noticesOf(late)).toBe('');

    // when: it never comes
    given({ stream: { frames: [{ type: 'result', result: RESULT(0) }] }, logEvents: [] });
    const started = Date.now();
    const missing = await framesOf(fixturePlatform({ settleMs: 100 }).invoke(PLAN, EVENT));

    // then: the wait is bounded, and the result still comes
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(noticesOf(missing)).toMatch(/CloudWatch has not delivered all of run .*cnf-admin logs 20261124-143927-k3f9qz --stage prod/);
    expect(missing.at(-1)).toEqual({ type: 'result', result: RESULT(0) });
  });

  it("does not wait out the bound for a shown line CloudWatch holds otherwise, once Lambda's report is in", async () => {
    // given: a line the live stream showed that never reaches CloudWatch as such
    given({
      stream: {
        frames: [
          { type: 'log', line: 'only live' },
          { type: 'result', result: RESULT(0) },
        ],
      },
      logEvents: [{ message: `REPORT RequestId: ${REQUEST_ID}`, timestamp: NOW, logStreamName: STREAM }],
    });

    // when
    const started = Date.now();
    const frames = await framesOf(fixturePlatform({ settleMs: 10_000 }).invoke(PLAN, EVENT));

    // then
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(noticesOf(frames)).toBe('');
    expect(frames.at(-1)).toEqual({ type: 'result', result: RESULT(0) });
  });

  it('stops watching on Ctrl-C without a result: the run goes on in AWS', async () => {
    // given: a run that goes on
    given({ stream: { frames: [{ type: 'log', line: runLine('working') }], after: 'hang' } });
    const interrupt = new AbortController();

    // when
    const frames: RunFrame[] = [];
    for await (const frame of fixturePlatform().invoke(PLAN, EVENT, { signal: interrupt.signal })) {
      frames.push(frame);
      interrupt.abort();
    }

    // then
    expect(frames).toEqual([{ type: 'log', line: runLine('working').replace('$RUN_ID', RUN_ID) }]);
  });

  it('reads no log for an event the handler refused before running anything', async () => {
    // given
    const refused: RunResult = { ...RESULT(64), error: { name: 'InvalidArgs', message: 'Invalid args for echo: count is required' } };
    const installed = given({ stream: { frames: [{ type: 'result', result: refused }] } });

    // when
    const frames = await framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    expect(frames).toEqual([{ type: 'result', result: refused }]);
    expect(installed.sent().some((call) => call.command === 'FilterLogEventsCommand')).toBe(false);
  });

  it('names lambda:InvokeFunction and exits 77 when the invoke is denied', async () => {
    // given
    given({
      errors: { InvokeWithResponseStream: [{ name: 'AccessDeniedException', message: 'not authorized', fault: 'client', status: 403 }] },
    });

    // when
    const invoking = framesOf(fixturePlatform().invoke(PLAN, EVENT));

    // then
    await expect(invoking).rejects.toBeInstanceOf(PermissionError);
    await expect(invoking).rejects.toThrow('Permission denied: lambda:InvokeFunction on function fixture-prod-admin:5');
  });
});

describe('AwsPlatform.detach', () => {
  it('queues an asynchronous invoke of the planned admin version', async () => {
    // given
    const installed = given({});

    // when
    await fixturePlatform().detach(PLAN, EVENT);

    // then
    expect(invokes(installed)).toEqual([
      {
        command: 'InvokeCommand',
        input: expect.objectContaining({ FunctionName: 'fixture-prod-admin', Qualifier: '5', InvocationType: 'Event' }),
      },
    ]);
  });

  it("refuses an event over the asynchronous invoke's 1 MB before sending", async () => {
    // given
    const installed = given({});

    // when / then
    await expect(fixturePlatform().detach(PLAN, { ...EVENT, args: { blob: 'x'.repeat(1024 * 1024) } })).rejects.toThrow(
      /Lambda takes at most 1,048,576 bytes \(1 MB\) for an asynchronous \(--detach\) invoke/,
    );
    expect(invokes(installed)).toEqual([]);
  });
});
