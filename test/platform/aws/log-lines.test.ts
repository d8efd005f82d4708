import { describe, expect, it } from 'vitest';
import { runEndedOf } from '../../../lib/core/run-log.js';
import { LineTally, lineKey, logFrame, platformReportOf, runIdTime } from '../../../lib/platform/aws/log-lines.js';

describe('CloudWatch log lines', () => {
  it('sees through the wrapping Lambda gives a console line, in both log formats', () => {
    // given: what the live stream showed, and what CloudWatch holds
    const shown = 'applied 3 migrations';
    const json = JSON.stringify({ timestamp: '2026-11-24T14:39:27.123Z', level: 'INFO', requestId: '9f0c-11', message: shown });
    const text = `2026-11-24T14:39:27.123Z\t9f0c-11\tINFO\t${shown}\n`;
    const structured = JSON.stringify({ level: 'INFO', message: 'Run started', runId: 'r1', requestId: 'x' });

    const multiLine = '2026-11-24T14:39:27.123Z\t9f0c-11\tERROR\tError: boom\r    at run (task.ts:3:9)\n';

    // then
    expect(lineKey(multiLine)).toBe('Error: boom\n    at run (task.ts:3:9)');
    expect(lineKey(json)).toBe(shown);
    expect(lineKey(text)).toBe(shown);
    expect(lineKey(`${structured}\n`)).toBe(structured);
  });

  it('counts shown lines, so that a line shown twice is left out twice and a third copy is kept', () => {
    // given
    const tally = new LineTally();
    tally.add('same');
    tally.add('same');

    // then
    expect([tally.take('same\n'), tally.take('same'), tally.take('same'), tally.pending]).toEqual([true, true, false, 0]);
  });

  it("reads Lambda's end-of-invocation report in text and JSON", () => {
    expect(platformReportOf('REPORT RequestId: 9f0c\tDuration: 3 ms\tStatus: timeout')).toEqual({ requestId: '9f0c', status: 'timeout' });
    expect(platformReportOf('REPORT RequestId: 9f0c\tStatus: error\tError Type: Runtime.OutOfMemory')).toEqual({
      requestId: '9f0c',
      status: 'error',
      errorType: 'Runtime.OutOfMemory',
    });
    expect(platformReportOf('{"type":"platform.report","record":{"requestId":"9f0c","status":"success"}}')).toEqual({
      requestId: '9f0c',
      status: 'success',
    });
    expect(platformReportOf('{"level":"INFO","message":"platform.report is a word"}')).toBeUndefined();
  });

  it("takes a run's result from its own Run ended line only", () => {
    const line = JSON.stringify({
      level: 'INFO',
      message: 'Run ended',
      runId: 'r1',
      task: 'migrate',
      release: 'r-0123456789ab',
      exitCode: 2,
      durationMs: 7,
    });
    expect(runEndedOf(line, 'r1')).toEqual({ runId: 'r1', task: 'migrate', release: 'r-0123456789ab', exitCode: 2, durationMs: 7 });
    expect(runEndedOf(line, 'r2')).toBeUndefined();
  });

  it('reads the start time a generated run id carries', () => {
    expect(runIdTime('20261124-143927-k3f9qz')).toBe(Date.UTC(2026, 10, 24, 14, 39, 27));
    expect(runIdTime('nightly-1')).toBeUndefined();
  });

  it("makes a log frame that carries Lambda's record parsed, so that the CLI never reads Lambda's text", () => {
    const report = 'REPORT RequestId: 9f0c-11\tDuration: 1.79 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 46 MB\t';
    expect(logFrame(report)).toEqual({
      type: 'log',
      line: report,
      record: { type: 'REPORT', metrics: { durationMs: 1.79, billedDurationMs: 2, memorySizeMB: 128, maxMemoryUsedMB: 46 } },
    });
    expect(logFrame('END RequestId: 9f0c-11')).toEqual({ type: 'log', line: 'END RequestId: 9f0c-11', record: { type: 'END' } });
    expect(logFrame('applied 3 migrations')).toEqual({ type: 'log', line: 'applied 3 migrations' });
  });
});
