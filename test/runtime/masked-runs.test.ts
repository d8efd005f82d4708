import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../lib/core/run.js';
import { maskedDocument, maskedFrame, maskedRun } from '../../lib/runtime/masked-runs.js';
import { SecretRedactor } from '../../lib/runtime/redact-secrets.js';

/* Secure values that are words of cnf-admin's own (a frame's type, a piece of durationMs) and one a task used as a key. */
const redactor = new SecretRedactor(['line', 'ation', 'hunter22']);

const record: RunRecord = {
  runId: '20261206-170000-mask01',
  task: 'echo',
  args: { hunter22: 'as a key', label: 'says hunter22' },
  release: 'r-0123456789ab',
  source: 'cli',
  caller: 'alice',
  startedAt: '2026-12-06T17:00:00.000Z',
  endedAt: '2026-12-06T17:00:01.000Z',
  exitCode: 0,
  durationMs: 1000,
  log: '/tmp/x.log',
  result: { hunter22: 1, text: 'a line of hunter22' },
};

describe('maskedRun', () => {
  it("keeps the record's own keys, and masks the task's data (args, result) in its keys too", () => {
    const masked = maskedRun(redactor, record) as unknown as Record<string, unknown>;
    expect(masked).toHaveProperty('durationMs', 1000);
    expect(masked.args).toEqual({ '[redacted]': 'as a key', label: 'says [redacted]' });
    expect(masked.result).toEqual({ '[redacted]': 1, text: 'a [redacted] of [redacted]' });
    expect(JSON.stringify(masked)).not.toContain('hunter22');
  });
});

describe('maskedFrame', () => {
  it("keeps a frame's type and fields, masking what they hold", () => {
    expect(maskedFrame(redactor, { type: 'log', line: 'one line, hunter22' })).toEqual({ type: 'log', line: 'one [redacted], [redacted]' });
    expect(maskedFrame(redactor, { type: 'notice', message: 'hunter22' })).toEqual({ type: 'notice', message: '[redacted]' });
  });
});

describe('maskedDocument', () => {
  it("keeps a page frame's type, but masks a string under any other key named type", () => {
    expect(maskedDocument(redactor, { type: 'line', text: 'hunter22' })).toEqual({ type: 'line', text: '[redacted]' });
    expect(maskedDocument(redactor, { nested: { type: 'hunter22' } })).toEqual({ nested: { type: '[redacted]' } });
  });

  it('masks the args and output of a run it holds in their keys too, and keeps its own keys', () => {
    const masked = maskedDocument(redactor, { run: { durationMs: 5, args: { hunter22: 'x' } }, output: { hunter22: 'y' } });
    expect(masked).toEqual({ run: { durationMs: 5, args: { '[redacted]': 'x' } }, output: { '[redacted]': 'y' } });
  });
});
