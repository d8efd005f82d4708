import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRunLogger } from '../../lib/runtime/logger.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createRunLogger', () => {
  it('writes one JSON line per entry with the run keys, secrets redacted in nested values and errors', () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const log = createRunLogger({ runId: 'run-9', task: 'migrate', release: 'r-0123456789ab' }, ['pa55word']);
    log.info('connecting', { url: 'postgres://u:pa55word@db', nested: { again: 'pa55word' } });
    log.error('failed', new Error('auth failed for pa55word'));
    const lines = written
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'connecting',
      runId: 'run-9',
      task: 'migrate',
      release: 'r-0123456789ab',
      url: 'postgres://u:[redacted]@db',
      nested: { again: '[redacted]' },
    });
    expect(lines[1]).toMatchObject({ level: 'ERROR', error: { name: 'Error', message: 'auth failed for [redacted]' } });
    expect(written.join('')).not.toContain('pa55word');
  });
});
