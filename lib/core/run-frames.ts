import type { RunFrame } from './platform.js';
import type { RunResult } from './run.js';
import { isRunResult } from './run-result-schema.js';

/**
 * The wire format of a streamed run, shared by the admin function (which
 * writes it) and the AWS platform (which reads it): NDJSON, one
 * {@link RunFrame} per line, the `result` frame last.
 *
 *     {"type":"log","line":"{\"level\":\"INFO\",\"message\":\"Run started\",...}"}
 *     {"type":"result","result":{"runId":"...","exitCode":0,...}}
 */

/** The content type of a streamed run. */
const FRAMES_CONTENT_TYPE = 'application/x-ndjson';

/**
 * One frame as one NDJSON line, newline included.
 *
 * @example
 * encodeFrame({ type: 'log', line: 'hello' }); // '{"type":"log","line":"hello"}\n'
 */
function encodeFrame(frame: RunFrame): string {
  return `${JSON.stringify(frame)}\n`;
}

/** A line of a stream read back as a frame; a line that is no frame is kept as a log line. */
function decodeFrame(line: string): RunFrame {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    if (error instanceof SyntaxError) return { type: 'log', line };
    throw error;
  }
  const frame = value as { type?: unknown; line?: unknown; message?: unknown; result?: unknown };
  if (frame?.type === 'log' && typeof frame.line === 'string') return { type: 'log', line: frame.line };
  if (frame?.type === 'notice' && typeof frame.message === 'string') return { type: 'notice', message: frame.message };
  if (frame?.type === 'result' && isRunResult(frame.result)) return { type: 'result', result: frame.result };
  // A bare run result: what a function answers when it was not asked to stream.
  if (isRunResult(value)) return { type: 'result', result: value };
  return { type: 'log', line };
}

/**
 * Reads frames out of a byte stream that arrives in arbitrary chunks: a
 * frame, or a UTF-8 character, may be split across two chunks.
 */
class FrameDecoder {
  readonly #text = new TextDecoder('utf-8');
  #partial = '';

  /** The frames completed by `chunk`. */
  push(chunk: Uint8Array | string): RunFrame[] {
    this.#partial += typeof chunk === 'string' ? chunk : this.#text.decode(chunk, { stream: true });
    const lines = this.#partial.split('\n');
    this.#partial = lines.pop() ?? '';
    return lines.filter((line) => line.trim() !== '').map(decodeFrame);
  }

  /** The last frame, when the stream did not end with a newline. */
  end(): RunFrame[] {
    const rest = this.#partial + this.#text.decode();
    this.#partial = '';
    return rest.trim() === '' ? [] : [decodeFrame(rest)];
  }
}

/**
 * The run result in an admin function's response payload: either the run
 * result itself (a plain invoke) or NDJSON frames whose last `result` frame
 * carries it (a streamed invoke, buffered). Undefined when there is none.
 *
 * @example
 * runResultOfPayload('{"runId":"r1","task":"migrate","release":"r-0123456789ab","exitCode":0,"durationMs":5}');
 */
function runResultOfPayload(payload: string): RunResult | undefined {
  const decoder = new FrameDecoder();
  const frames = [...decoder.push(payload), ...decoder.end()];
  const results = frames.filter((frame): frame is Extract<RunFrame, { type: 'result' }> => frame.type === 'result');
  return results.at(-1)?.result;
}

export { decodeFrame, encodeFrame, FrameDecoder, FRAMES_CONTENT_TYPE, runResultOfPayload };
