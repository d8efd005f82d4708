import { describe, expect, it } from 'vitest';
import { formatLogLine as formatLine } from '../../../lib/cli/render/log-line.js';
import { lambdaRecordOf } from '../../../lib/platform/aws/log-lines.js';

const plain = (_style: string, text: string) => text;

/* As the CLI sees a line: with the record the AWS platform parsed into its log frame. */
const formatLogLine = (line: string, style: Parameters<typeof formatLine>[1]) => formatLine(line, style, { record: lambdaRecordOf(line) });

describe('formatLogLine', () => {
  it('shows a structured line as time, level, message and the extra keys', () => {
    const line = JSON.stringify({
      level: 'INFO',
      message: 'Applied 0001',
      timestamp: '2026-11-24T14:39:27.123Z',
      service: 'notes',
      runId: 'r',
      task: 'migrate',
      release: 'r-1',
      ms: 12,
    });
    expect(formatLogLine(line, plain)).toBe('14:39:27.123 INFO  Applied 0001 ms=12');
  });

  it('shows a moment the admin function wrote into the message as every moment the CLI shows', () => {
    const line = JSON.stringify({
      level: 'WARN',
      message: 'Task slow is locked by run a (caller b) since 2026-11-24T14:39:27.123Z; nothing ran.',
      timestamp: '2026-11-24T14:39:28.000Z',
    });
    expect(formatLogLine(line, plain)).toBe(
      '14:39:28.000 WARN  Task slow is locked by run a (caller b) since 2026-11-24 14:39:27; nothing ran.',
    );
  });

  it("shows an error's stack under its line", () => {
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'The task threw',
      error: { name: 'Error', message: 'boom', stack: 'Error: boom\n    at run (lambda/tasks/x.ts:3:9)' },
    });
    expect(formatLogLine(line, plain)).toBe('ERROR The task threw\n    Error: boom\n        at run (lambda/tasks/x.ts:3:9)');
  });

  it("shows an error logged under a key of its own as the line's error: name and message inline, its stack below, from the project, no release-store path", () => {
    const stack =
      'Error: x\n    at run (/app/.cnf/local/releases/r-0123456789ab/bundle/lambda/tasks/leak.ts:13:28)\n    at runTask (/app/node_modules/cnf-admin/lib/runtime/admin-run.ts:9:1)';
    const line = JSON.stringify({
      level: 'WARN',
      message: 'warn',
      err: { name: 'Error', location: '/app/.cnf/local/releases/r-0123456789ab/bundle/lambda/tasks/leak.ts:13', message: 'x', stack },
      count: 2,
    });
    const shown = formatLogLine(line, plain) ?? '';
    expect(shown).toBe('WARN  warn err=Error: x count=2\n    Error: x\n        at run (lambda/tasks/leak.ts:13:28)');
    expect(shown).not.toContain('.cnf/local/releases');
    // data with a message of its own is data
    expect(formatLogLine(JSON.stringify({ level: 'INFO', message: 'm', reply: { message: 'ok' } }), plain)).toBe(
      'INFO  m reply={"message":"ok"}',
    );
  });

  it('leaves any other line as it is', () => {
    expect(formatLogLine('plain output', plain)).toBe('plain output');
    expect(formatLogLine('{"not":"a log line"}', plain)).toBe('{"not":"a log line"}');
    expect(formatLogLine('{half json', plain)).toBe('{half json');
  });

  it("shows the runtime's first line as who started the run with what, leaving the JSON log's bookkeeping out", () => {
    const started = (args: object) =>
      JSON.stringify({
        level: 'INFO',
        message: 'Run started',
        runId: 'r1',
        source: 'cli',
        caller: 'alice@laptop',
        args,
        stage: 'local',
        configFingerprint: 'cfg-4f7b46091f85',
        remainingMs: 896962,
      });
    expect(formatLogLine(started({ count: 2 }), plain)).toBe('INFO  Run started caller=alice@laptop args={"count":2}');
    expect(formatLogLine(started({}), plain)).toBe('INFO  Run started caller=alice@laptop');
    // a task's own line keeps every key it logs
    expect(formatLogLine(JSON.stringify({ level: 'INFO', message: 'Run started', stage: 'x' }), plain)).toBe('INFO  Run started stage=x');
  });

  it("shows Lambda's report as one short line, with the cold start when there was one, in both log formats", () => {
    const report = (metrics: object) =>
      JSON.stringify({
        time: '2026-11-24T14:39:30.000Z',
        type: 'platform.report',
        record: { requestId: 'a-1', status: 'success', metrics },
      });
    expect(formatLogLine(report({ durationMs: 2510.4, billedDurationMs: 2511, memorySizeMB: 512, maxMemoryUsedMB: 87 }), plain)).toBe(
      'Lambda: 2.5 s, billed 2.5 s · 87 of 512 MB memory',
    );
    expect(
      formatLogLine(
        report({ durationMs: 2.84, billedDurationMs: 3, memorySizeMB: 128, maxMemoryUsedMB: 64, initDurationMs: 171.95 }),
        plain,
      ),
    ).toBe('Lambda: 3 ms, billed 3 ms · 64 of 128 MB memory · cold start 172 ms');
    expect(
      formatLogLine(
        'REPORT RequestId: 9f0c-11\tDuration: 1.79 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 46 MB\tInit Duration: 120.50 ms\t',
        plain,
      ),
    ).toBe('Lambda: 2 ms, billed 2 ms · 46 of 128 MB memory · cold start 121 ms');
  });

  it("leaves Lambda's other records out of the human view", () => {
    const record = (type: string) => JSON.stringify({ time: '2026-11-24T14:39:27.000Z', type, record: { requestId: 'a-1' } });
    expect(formatLogLine(record('platform.start'), plain)).toBeUndefined();
    expect(formatLogLine(record('platform.runtimeDone'), plain)).toBeUndefined();
    expect(formatLogLine('START RequestId: 9f0c-11 Version: 5', plain)).toBeUndefined();
    expect(formatLogLine('END RequestId: 9f0c-11', plain)).toBeUndefined();
    // a line of the task's own that only mentions them stays
    expect(formatLogLine('{"type":"platform.start is what Lambda writes"}', plain)).toBe('{"type":"platform.start is what Lambda writes"}');
  });

  it("reads no Lambda text itself: a REPORT line without the platform's record stays as it is", () => {
    const line = 'REPORT RequestId: 9f0c-11\tDuration: 1.79 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 46 MB\t';
    expect(formatLine(line, plain)).toBe(line);
  });

  it('shows a value nested too deep to write out again as such, rather than failing', () => {
    const deep = `{"level":"INFO","message":"deep","value":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`;
    expect(formatLogLine(deep, plain)).toBe('INFO  deep value=[nested too deep to show]');
  });
});
