import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mergedLines } from '../../../lib/platform/local/merged-lines.js';

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

describe('mergedLines', () => {
  it('splits chunks into lines across chunk boundaries, from several streams, keeping a last line without newline', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    const lines = collect(mergedLines([out, err]));
    out.write('one\ntw');
    err.write('error line\r\n');
    out.end('o\nthree');
    err.end();
    expect((await lines).sort()).toEqual(['error line', 'one', 'three', 'two']);
  });

  it('ends a line cut at its length limit with the newline that follows the cut, adding no empty line', async () => {
    const source = new PassThrough();
    const lines = collect(mergedLines([source]));
    // exactly the limit, then its newline in a chunk of its own: two lines, as written
    source.write('x'.repeat(1 << 20));
    source.write('\nnext\n');
    source.end();
    expect((await lines).map((line) => line.length)).toEqual([1 << 20, 4]);
  });

  it('pauses the streams while the reader is behind, so buffered lines stay bounded', async () => {
    const source = new PassThrough({ highWaterMark: 1024 });
    const iterator = mergedLines([source])[Symbol.asyncIterator]();
    let written = 0;
    let blocked = false;
    // a producer that respects backpressure, as a pipe from a child process does
    const produce = async () => {
      for (let index = 0; index < 100_000; index += 1) {
        written += 1;
        if (!source.write(`line ${index}\n`)) {
          blocked = true;
          await new Promise((resolve) => source.once('drain', resolve));
        }
      }
      source.end();
    };
    const producing = produce();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // the reader has taken nothing yet: the producer must be held back, not 100,000 lines queued
    expect(blocked).toBe(true);
    expect(written).toBeLessThan(5000);
    let read = 0;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) read += 1;
    await producing;
    expect(read).toBe(100_000);
  });

  it('cuts an endless line into bounded pieces', async () => {
    const source = new PassThrough();
    const lines = collect(mergedLines([source]));
    source.end('x'.repeat(3 * (1 << 20) + 10));
    expect((await lines).map((line) => line.length)).toEqual([1 << 20, 1 << 20, 1 << 20, 10]);
  });
});
