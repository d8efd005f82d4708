import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../../lib/cli/render/log-line.js';

const plain = (_style: string, text: string) => text;

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

  it("shows an error's stack under its line", () => {
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'The task threw',
      error: { name: 'Error', message: 'boom', stack: 'Error: boom\n    at run (lambda/tasks/x.ts:3:9)' },
    });
    expect(formatLogLine(line, plain)).toBe('ERROR The task threw\n    Error: boom\n        at run (lambda/tasks/x.ts:3:9)');
  });

  it('leaves any other line as it is', () => {
    expect(formatLogLine('plain output', plain)).toBe('plain output');
    expect(formatLogLine('{"not":"a log line"}', plain)).toBe('{"not":"a log line"}');
    expect(formatLogLine('{half json', plain)).toBe('{half json');
  });
});
