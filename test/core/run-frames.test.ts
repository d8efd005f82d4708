import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameDecoder, runResultOfPayload } from '../../lib/core/run-frames.js';
import type { RunResult } from '../../lib/core/run.js';

const RESULT: RunResult = { runId: 'run-1', task: 'migrate', release: 'r-0123456789ab', exitCode: 3, durationMs: 12 };

describe('run frames', () => {
  it('round-trips every frame type through one NDJSON line each', () => {
    // given
    const frames = [
      { type: 'log', line: '{"level":"INFO","message":"a\\nb"}' },
      { type: 'notice', message: 'careful' },
      { type: 'result', result: RESULT },
    ] as const;

    // when
    const text = frames.map(encodeFrame).join('');

    // then
    expect(text.split('\n')).toHaveLength(4);
    const decoder = new FrameDecoder();
    expect([...decoder.push(text), ...decoder.end()]).toEqual(frames);
  });

  it('reassembles frames and UTF-8 characters split across chunks', () => {
    // given
    const bytes = Buffer.from(encodeFrame({ type: 'log', line: 'größe €' }) + encodeFrame({ type: 'result', result: RESULT }));
    const decoder = new FrameDecoder();

    // when: the stream arrives one byte at a time
    const frames = [...bytes].flatMap((byte) => decoder.push(Uint8Array.of(byte)));

    // then
    expect(frames).toEqual([
      { type: 'log', line: 'größe €' },
      { type: 'result', result: RESULT },
    ]);
    expect(decoder.end()).toEqual([]);
  });

  it('keeps a line that is no frame as a log line', () => {
    expect(decodeFrame('plain text')).toEqual({ type: 'log', line: 'plain text' });
    expect(decodeFrame('{"type":"other"}')).toEqual({ type: 'log', line: '{"type":"other"}' });
  });

  it('finds the run result in a plain payload and in a buffered stream of frames', () => {
    expect(runResultOfPayload(JSON.stringify(RESULT))).toEqual(RESULT);
    expect(runResultOfPayload(encodeFrame({ type: 'log', line: 'x' }) + encodeFrame({ type: 'result', result: RESULT }))).toEqual(RESULT);
    expect(runResultOfPayload('{"errorType":"Runtime.ExitError"}')).toBeUndefined();
  });
});
