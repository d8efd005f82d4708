import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnavailableError, UsageError } from '../../../lib/core/errors.js';
import type { RunFrame } from '../../../lib/core/platform.js';
import { LEDGER_RECORD } from '../../support/aws-command-runs.js';
import { RELEASE, runLine } from '../../support/aws-scenario.js';
import { fixturePlatform } from '../../support/aws-platform.js';
import { framesOf, logLinesOf, useAwsScenario } from '../../support/aws-test-scenario.js';

const RUN_ID = '20261124-143927-k3f9qz';
const T0 = Date.UTC(2026, 10, 24, 14, 39, 27);
const STREAM = '2026/11/24/[5]abcdef';
/** A container task's log stream, as awslogs names it: all of it is that task's run's. */
const TASK_STREAM = 'task/admin/0123456789abcdef';
const line = (message: string, extra: Record<string, unknown> = {}): string => runLine(message, extra).replace('$RUN_ID', RUN_ID);
const at = (offset: number, message: string, logStreamName = STREAM) => ({ message, timestamp: T0 + offset, logStreamName });

const given = useAwsScenario();

/* The admin function's timeout in the scenario, and the margin a follow adds to it. */
const FOLLOW_MS = (900 + 60) * 1000;

/** The clock at `offset` ms after the run's start (its ledger record's `startedAt`, and its id's time), moving on from there: the run may still be going. */
function clockAt(offset: number): void {
  vi.useFakeTimers({ toFake: ['Date'], now: T0 + offset, shouldAdvanceTime: true });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('AwsPlatform.logs', () => {
  it("replays a run's whole log by run id, every page, from a little before the run id's time, and ends with its result", async () => {
    // given: five lines of the run (two pages) among another run's
    const installed = given({
      logEvents: [
        at(0, line('Run started')),
        at(1, runLine('other run', { runId: '20261124-143900-zzzzzz' })),
        at(2, line('step', { n: 1 })),
        at(3, line('step', { n: 2 })),
        at(4, line('step', { n: 3 })),
        at(5, line('Run ended', { exitCode: 4, durationMs: 900 })),
      ],
    });

    // when
    const frames = await framesOf(fixturePlatform().logs(RUN_ID));

    // then
    expect(logLinesOf(frames)).toHaveLength(5);
    expect(frames.at(-1)).toEqual({
      type: 'result',
      result: { runId: RUN_ID, task: 'echo', release: RELEASE, exitCode: 4, durationMs: 900 },
    });
    const filters = installed.sent().filter((call) => call.command === 'FilterLogEventsCommand');
    expect(filters[0]?.input).toMatchObject({
      logGroupName: '/aws/lambda/fixture-prod-admin',
      filterPattern: `"${RUN_ID}"`,
      startTime: T0 - 5 * 60 * 1000,
    });
    expect(filters.length).toBeGreaterThan(1);
  });

  it("shows a container run's plain output, which carries no run id, from its task's log stream, in order, and no other task's", async () => {
    // given: the admin function's line, then the task's stream (as awslogs sends it: one event per line), and another task's
    given({
      logEvents: [
        at(0, line('Started ECS task')),
        at(1000, line('Run started'), TASK_STREAM),
        at(1001, 'plain stdout of the task', TASK_STREAM),
        at(1001, 'plain stdout of another task', 'task/admin/fedcba9876543210'),
        at(1002, line('step', { n: 1 }), TASK_STREAM),
        at(1003, 'Error: plain stderr of the task', TASK_STREAM),
        at(1004, line('Run ended', { exitCode: 0, durationMs: 4 }), TASK_STREAM),
      ],
    });

    // when
    const frames = await framesOf(fixturePlatform().logs(RUN_ID));

    // then
    const lines = logLinesOf(frames).join('\n');
    expect(lines).toContain('plain stdout of the task');
    expect(lines).toContain('Error: plain stderr of the task');
    expect(lines).not.toContain('another task');
    expect(lines.indexOf('plain stdout of the task')).toBeLessThan(lines.indexOf('plain stderr'));
    expect(logLinesOf(frames)).toHaveLength(6);
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 0 } });
  });

  it("reads a container task's stream from its start when it is found after a later line of the run: its plain output before that is shown", async () => {
    // given: the admin function's line, read first; the task's plain line, written before it; the task's own lines, delivered later
    clockAt(2000);
    given({
      ledger: [LEDGER_RECORD],
      logEvents: [
        at(1000, 'plain stdout, written before the line read first', TASK_STREAM),
        at(1500, line('Started ECS task')),
        { ...at(1600, line('Run started'), TASK_STREAM), fromCall: 3 },
        { ...at(1601, line('Run ended', { exitCode: 0, durationMs: 1 }), TASK_STREAM), fromCall: 3 },
      ],
    });

    // when
    const frames = await framesOf(fixturePlatform().logs(RUN_ID, { follow: true }));

    // then
    expect(logLinesOf(frames)).toContain('plain stdout, written before the line read first');
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 0 } });
  });

  it("shows a container task's stderr line stamped after its end line (two pipes into one stream), but no other stream's line after the end", async () => {
    // given: the task's stderr line reached its stream after its end line did
    given({
      logEvents: [
        at(0, line('Started ECS task')),
        at(1000, line('Run started'), TASK_STREAM),
        at(1001, 'plain stdout of the task', TASK_STREAM),
        at(1002, line('Run ended', { exitCode: 0, durationMs: 2 }), TASK_STREAM),
        at(1003, 'Error: plain stderr of the task', TASK_STREAM),
        at(1004, line('a line of the admin function after the end')),
      ],
    });

    // when
    const frames = await framesOf(fixturePlatform().logs(RUN_ID));

    // then
    const lines = logLinesOf(frames).join('\n');
    expect(lines).toContain('Error: plain stderr of the task');
    expect(lines).not.toContain('after the end');
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 0 } });
  });

  it('ends with the end of the retry that ran, not the end of an earlier attempt of the run id that never started', async () => {
    // given: an attempt locked out (75, not started), then the retry that took its record over and ran
    const refused = line('Run ended', { exitCode: 75, durationMs: 11, notStarted: true });
    given({
      logEvents: [
        at(0, line('Task echo is locked by run other; nothing ran.')),
        at(1, refused),
        at(60_000, line('Run started')),
        at(60_001, line('Run ended', { exitCode: 0, durationMs: 40 })),
      ],
    });
    const frames = await framesOf(fixturePlatform().logs(RUN_ID));
    expect(logLinesOf(frames)).toHaveLength(4);
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 0 } });
  });

  it('follows a run the ledger records as not started to that attempt’s end, at once', async () => {
    clockAt(2000);
    given({
      ledger: [{ ...LEDGER_RECORD, endedAt: '2026-11-24T14:39:27.011Z', exitCode: 75, notStarted: true }],
      logEvents: [at(1, line('Run ended', { exitCode: 75, durationMs: 11, notStarted: true }))],
    });
    const frames = await framesOf(fixturePlatform().logs(RUN_ID, { follow: true }));
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 75 } });
  });

  it('takes no REPORT of the attempt that never started for the retry’s end, and says the retry is in progress', async () => {
    given({
      logEvents: [
        at(1, line('Run ended', { exitCode: 75, durationMs: 11, notStarted: true })),
        at(2, 'REPORT RequestId: 9f0c\tDuration: 12 ms\tBilled Duration: 12 ms'),
        at(60_000, line('Run started'), '2026/11/24/[5]fedcba'),
      ],
    });
    const frames = await framesOf(fixturePlatform().logs(RUN_ID));
    expect(frames.some((frame) => frame.type === 'result')).toBe(false);
    expect(frames.at(-1)).toMatchObject({ type: 'notice', message: expect.stringContaining('still in progress') });
  });

  it('ends with the end of an attempt that never started when no retry followed it', async () => {
    given({ logEvents: [at(1, line('Run ended', { exitCode: 75, durationMs: 11, notStarted: true }))] });
    const frames = await framesOf(fixturePlatform().logs(RUN_ID));
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 75 } });
  });

  it('says so, with exit 64, when CloudWatch holds nothing of the run, and how to wait for it while it may be starting', async () => {
    // given: a run that started two seconds ago
    given({ logEvents: [] });
    clockAt(2000);

    // when / then
    await expect(framesOf(fixturePlatform().logs(RUN_ID))).rejects.toBeInstanceOf(UsageError);
    await expect(framesOf(fixturePlatform().logs(RUN_ID))).rejects.toMatchObject({ hint: expect.stringContaining('--follow') });
  });

  it("suggests no follow for a run past its function's timeout whose log holds nothing: its id is checked instead", async () => {
    // given: now, long after the run id's time
    given({ logEvents: [] });

    // when / then
    await expect(framesOf(fixturePlatform().logs(RUN_ID))).rejects.toMatchObject({
      name: 'UsageError',
      hint: 'A run that old cannot still be going; check its id with: cnf-admin runs --stage prod',
    });
  });

  it('says a run is in progress, and how to follow it, when its end is not logged yet', async () => {
    // given
    given({ logEvents: [at(0, line('Run started'))] });

    // when
    const frames = await framesOf(fixturePlatform().logs(RUN_ID));

    // then
    expect(frames.at(-1)).toEqual({
      type: 'notice',
      message: `Run ${RUN_ID} is still in progress. Follow it with: cnf-admin logs ${RUN_ID} --stage prod --follow`,
    });
  });

  it('follows by polling where Live Tail is unavailable, until the run ends', async () => {
    // given: the end arrives on a later read
    clockAt(2000);
    given({
      ledger: [LEDGER_RECORD],
      logEvents: [at(0, line('Run started')), { ...at(1, line('Run ended', { exitCode: 0, durationMs: 10 })), fromCall: 4 }],
    });

    // when
    const frames = await framesOf(fixturePlatform().logs(RUN_ID, { follow: true }));

    // then
    expect(logLinesOf(frames)).toEqual([line('Run started'), line('Run ended', { exitCode: 0, durationMs: 10 })]);
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 0 } });
  });

  it('keeps two identical lines written in the same millisecond', async () => {
    // given
    given({ logEvents: [at(0, line('tick')), at(0, line('tick')), at(1, line('Run ended', { exitCode: 0, durationMs: 1 }))] });

    // when
    const frames = await framesOf(fixturePlatform().logs(RUN_ID));

    // then
    expect(logLinesOf(frames)).toEqual([line('tick'), line('tick'), line('Run ended', { exitCode: 0, durationMs: 1 })]);
  });

  it('follows with Live Tail where available, showing each line once', async () => {
    // given: the tail repeats a line the catch-up read already showed
    clockAt(2000);
    const installed = given({
      ledger: [LEDGER_RECORD],
      logEvents: [at(0, line('Run started'))],
      liveTail: [[at(0, line('Run started')), at(1, line('working'))], [at(2, line('Run ended', { exitCode: 5, durationMs: 20 }))]],
    });

    // when
    const frames = await framesOf(fixturePlatform().logs(RUN_ID, { follow: true }));

    // then
    expect(logLinesOf(frames)).toEqual([line('Run started'), line('working'), line('Run ended', { exitCode: 5, durationMs: 20 })]);
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { exitCode: 5 } });
    const tail = installed.sent().find((call) => call.command === 'StartLiveTailCommand');
    expect(tail?.input).toEqual({
      logGroupIdentifiers: ['arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fixture-prod-admin'],
      logEventFilterPattern: `?"${RUN_ID}" ?"REPORT RequestId" ?"platform.report"`,
    });
  });

  it("ends with exit 124 when Lambda's report in the run's own stream says it timed out, ignoring other streams", async () => {
    // given
    given({
      logEvents: [
        at(0, line('Run started')),
        at(1, 'REPORT RequestId: other-request\tStatus: timeout', 'other-stream'),
        at(2, 'REPORT RequestId: 9f0c\tDuration: 900000 ms\tStatus: timeout'),
      ],
    });

    // when
    const frames = await framesOf(fixturePlatform().logs(RUN_ID, { follow: true }));

    // then
    expect(logLinesOf(frames)).toEqual([line('Run started'), 'REPORT RequestId: 9f0c\tDuration: 900000 ms\tStatus: timeout']);
    expect(frames.at(-1)).toMatchObject({ type: 'result', result: { runId: RUN_ID, task: 'echo', release: RELEASE, exitCode: 124 } });
  });

  it('ends with exit 70 when the report says the function failed (JSON log format)', async () => {
    // given
    given({
      logEvents: [
        at(0, line('Run started')),
        at(
          1,
          JSON.stringify({
            time: '2026-11-24T14:39:28Z',
            type: 'platform.report',
            record: { requestId: '9f0c', status: 'error', errorType: 'Runtime.OutOfMemory' },
          }),
        ),
      ],
    });

    // when
    const frames = await framesOf(fixturePlatform().logs(RUN_ID));

    // then
    expect(frames.at(-1)).toMatchObject({
      type: 'result',
      result: { exitCode: 70, error: { message: expect.stringContaining('Runtime.OutOfMemory') } },
    });
  });

  it('exits 69 when the log group does not exist', async () => {
    // given
    given({ logGroupExists: false });

    // when / then
    await expect(framesOf(fixturePlatform().logs(RUN_ID))).rejects.toBeInstanceOf(UnavailableError);
  });

  it('stops following on Ctrl-C, without a result', async () => {
    // given
    clockAt(2000);
    given({ ledger: [LEDGER_RECORD], logEvents: [at(0, line('Run started'))] });
    const interrupt = new AbortController();

    // when
    const frames: RunFrame[] = [];
    for await (const frame of fixturePlatform().logs(RUN_ID, { follow: true, signal: interrupt.signal })) {
      frames.push(frame);
      interrupt.abort();
    }

    // then
    expect(frames).toEqual([{ type: 'log', line: line('Run started') }]);
  });

  it('a follow of a run that no record names and whose log stays silent ends at its deadline with 64, Live Tail open', async () => {
    // given: 300 ms before the run id's time plus the function's timeout
    given({ logEvents: [], liveTail: [] });
    clockAt(FOLLOW_MS - 300);

    // when / then
    const frames: RunFrame[] = [];
    await expect(
      (async () => {
        for await (const frame of fixturePlatform().logs(RUN_ID, { follow: true })) frames.push(frame);
      })(),
    ).rejects.toMatchObject({ name: 'UsageError', message: expect.stringContaining(`No run "${RUN_ID}" on stage prod`) });
    expect(frames).toEqual([
      { type: 'notice', message: expect.stringContaining(`No record of run ${RUN_ID} yet: waiting for its log until`) },
    ]);
  });

  it("a follow of a run id whose time is past its function's timeout, with no record and no log, is 64 at once", async () => {
    // given
    given({ logEvents: [] });

    // when / then
    await expect(framesOf(fixturePlatform().logs(RUN_ID, { follow: true }))).rejects.toMatchObject({
      name: 'UsageError',
      hint: "See the stage's runs with: cnf-admin runs --stage prod",
    });
  });
});
