import { afterEach, describe, expect, it, vi } from 'vitest';
import { tapLogLines } from '../../lib/runtime/log-tap.js';

describe('tapLogLines', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('hands over whole lines written to stdout and stderr, across chunks, and still writes them', () => {
    // given: stdout and stderr that record what reaches them
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    const lines: string[] = [];
    const untap = tapLogLines((line) => lines.push(line));

    // when: lines arrive in pieces, one of them split inside a UTF-8 character
    process.stdout.write('{"level":"INFO"');
    process.stdout.write(',"message":"one"}\nsec');
    const euro = Buffer.from('€\n');
    process.stdout.write(euro.subarray(0, 1));
    process.stdout.write(euro.subarray(1));
    process.stderr.write('err line\r\n');
    process.stdout.write('unfinished');
    untap();

    // then: each line is handed over once, whole, and everything was still written
    expect(lines).toEqual(['{"level":"INFO","message":"one"}', 'sec€', 'err line', 'unfinished']);
    expect(written.join('')).toContain('err line');
  });

  it('counts a console call once even when the console itself writes to stdout', () => {
    // given: a console.log that writes to stdout, as Node's does outside Lambda
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      process.stdout.write(`${args.join(' ')}\n`);
    });
    const lines: string[] = [];
    const untap = tapLogLines((line) => lines.push(line));

    // when
    console.log('applied %d migrations', 3);
    untap();

    // then
    expect(lines).toEqual(['applied 3 migrations']);
  });

  it('stops handing over lines once removed', () => {
    // given
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const lines: string[] = [];
    const untap = tapLogLines((line) => lines.push(line));
    untap();

    // when
    process.stdout.write('after\n');

    // then
    expect(lines).toEqual([]);
  });

  it('hands over output without newlines in pieces of 1 MiB', () => {
    // given
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const lines: string[] = [];
    const untap = tapLogLines((line) => lines.push(line));

    // when
    process.stdout.write('x'.repeat(2.5 * 1024 * 1024));
    untap();

    // then
    expect(lines.map((line) => line.length)).toEqual([1024 * 1024, 1024 * 1024, 512 * 1024]);
  });
});
