import fs, { writeSync } from 'node:fs';
import { inspect, stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redactLogLines, tapLogLines } from '../../lib/runtime/log-tap.js';
import { SecretRedactor } from '../../lib/runtime/redact-secrets.js';

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

describe('redactLogLines', () => {
  const SECRET = 'line one\nsecond "line" \\ here';

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('redacts stdout, stderr, fs.writeSync and fs.write to fd 1 and 2 as one stream each, split writes too, and gives them back', async () => {
    // given: stdout, stderr and the fd writes recorded, not written
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(`1:${String(chunk)}`) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => out.push(`2:${String(chunk)}`) > 0);
    vi.spyOn(fs, 'writeSync').mockImplementation((fd: number, data: unknown) => out.push(`${fd}:${String(data)}`));
    vi.spyOn(fs, 'write').mockImplementation(((fd: number, data: unknown, callback: (error: null) => void) => {
      out.push(`${fd}:${String(data)}`);
      callback(null);
    }) as unknown as typeof fs.write);
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void out.push(`console:${args.join(' ')}`));
    const stdoutWrite = process.stdout.write;
    const unredact = redactLogLines(new SecretRedactor([SECRET]));

    // when: the secret goes out raw, escaped, split between a stream write and an fd write, and by fs.write
    process.stdout.write('a: line o');
    writeSync(1, 'ne\nsecond "line" \\ here\n');
    fs.writeSync(2, Buffer.from(`b: ${JSON.stringify(SECRET)}\n`));
    await new Promise<void>((resolve) => fs.write(2, `c: ${inspect(SECRET)}\n`, () => resolve()));
    console.error('d: %s', SECRET);
    process.stdout.write('e: line');
    unredact();

    // then: no form of it went out, and what was held back at the end went out
    const all = out.join('');
    for (const form of [SECRET, JSON.stringify(SECRET).slice(1, -1), inspect(SECRET).slice(1, -1), 'second "line"']) {
      expect(all).not.toContain(form);
    }
    expect(all.match(/\[redacted\]/g)).toHaveLength(4);
    expect(out.slice(-2)).toEqual(['1:e: ', '1:line']);
    expect(process.stdout.write).toBe(stdoutWrite);
  });

  it('where stderr goes to stdout, takes the two as one stream: their order kept, a secret split between them found', () => {
    // given: stdout and stderr recorded in the order they are written, as one stream
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    const secret = '-----BEGIN KEY-----abc';
    const unredact = redactLogLines(new SecretRedactor([secret]), true);

    // when: a tail that could start the secret goes to stdout, then a line to stderr; then the secret, split between them
    process.stdout.write('plainA-');
    process.stderr.write('plainB\n');
    process.stdout.write(secret.slice(0, 9));
    process.stderr.write(`${secret.slice(9)}\n`);
    unredact();

    // then: the lines as written, in order, and no half of the secret
    expect(out.join('')).toBe('plainA-plainB\n[redacted]\n');
  });

  it('redacts writeFileSync, appendFileSync, writeFile, appendFile, writevSync and writev to fd 1 and 2, which write around fs.writeSync', async () => {
    // given: every fs call that can write to a file descriptor recorded, not written
    const out: string[] = [];
    const record = (fd: unknown, data: unknown): number => out.push(`${String(fd)}:${[data].flat().map(String).join('')}`);
    const callBack = (...args: unknown[]): void => (args.at(-1) as (error: null) => void)(null);
    vi.spyOn(fs, 'writeSync').mockImplementation(record);
    vi.spyOn(fs, 'write').mockImplementation(((fd: number, data: unknown, ...rest: unknown[]) => {
      record(fd, data);
      callBack(...rest);
    }) as unknown as typeof fs.write);
    for (const name of ['writeFileSync', 'appendFileSync', 'writevSync'] as const) vi.spyOn(fs, name).mockImplementation(record as never);
    for (const name of ['writeFile', 'appendFile', 'writev'] as const)
      vi.spyOn(fs, name).mockImplementation(((fd: unknown, data: unknown, ...rest: unknown[]) => {
        record(fd, data);
        callBack(...rest);
      }) as never);
    const unredact = redactLogLines(new SecretRedactor([SECRET]));

    // when: the secret goes to fd 1 and 2 by each of them, and a file by path gets it as it is
    fs.writeFileSync(1, `a: ${SECRET}\n`);
    fs.appendFileSync(2, Buffer.from(`b: ${JSON.stringify(SECRET)}\n`), { flag: 'a' });
    fs.writevSync(1, [Buffer.from('c: line o'), Buffer.from('ne\nsecond "line" \\ here\n')]);
    await new Promise((resolve) => fs.writeFile(2, `d: ${SECRET}\n`, 'utf8', resolve));
    await new Promise((resolve) => fs.appendFile(1, `e: ${SECRET}\n`, resolve));
    await new Promise((resolve) => fs.writev(2, [Buffer.from(`f: ${SECRET}\n`)], resolve));
    fs.writeFileSync('/tmp/a-file', SECRET);
    unredact();

    // then: each went out redacted, through fd 1 or 2; only the file by path got the value
    const all = out.join('');
    expect(all.match(/\[redacted\]/g)).toHaveLength(6);
    expect(out.filter((line) => line.includes(SECRET))).toEqual([`/tmp/a-file:${SECRET}`]);
    expect(all).not.toContain(JSON.stringify(SECRET).slice(1, -1));
  });

  it("lays out console.table from redacted cells: its columns do not tell a secret's length", () => {
    // given: what the table writes recorded
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
    const long = 'a-secure-value-of-forty-two-characters-xyz';
    const unredact = redactLogLines(new SecretRedactor([long]));

    // when: a task shows the secret in a table
    console.table([{ token: long }]);
    unredact();

    // then: the table is as wide as [redacted] makes it (its borders would tell the secret's length), and holds no secret
    const lines = stripVTControlCharacters(out.join('')).split('\n');
    expect(lines.some((line) => line.includes('[redacted]'))).toBe(true);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(long.length);
    expect(out.join('')).not.toContain(long);
  });
});
