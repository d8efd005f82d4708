import { encodeFrame, FRAMES_CONTENT_TYPE } from '../core/run-frames.js';
import { ExitCode } from '../core/exit-codes.js';
import type { RunFrame } from '../core/platform.js';
import type { RefusalName } from '../core/refusal.js';
import { isValidRunId, newRunId, type RunResult } from '../core/run.js';
import type { AdminHandler, AdminInvocationContext } from './admin-handler.js';
import { tapLogLines } from './log-tap.js';
import { readCnfEnvironment } from '../core/cnf-environment.js';

/**
 * Lambda's response stream, as much of it as the admin function uses.
 *
 * @example
 * // What Lambda passes a streaming handler; in a test, any Writable will do.
 * const stream: ResponseStream = new PassThrough();
 * await handler({ task: 'migrate', stream: true }, stream);
 */
interface ResponseStream {
  /** Writes one chunk of the response. */
  write(chunk: string): boolean;
  /** Ends the response; `callback` runs once it is flushed. */
  end(callback?: () => void): unknown;
  /** Listens for the stream's errors. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Lambda's stream has it; a plain Writable does not. */
  setContentType?(contentType: string): void;
}

/** The part of Lambda's `awslambda` global that marks a handler as streaming. */
interface LambdaRuntimeGlobal {
  streamifyResponse<T>(handler: T): T;
}

/** What the admin handler does for one event: run it, and answer with the run result. */
type RunHandler = ((event: unknown, context?: AdminInvocationContext) => Promise<RunResult>) & Pick<AdminHandler, 'describe' | 'preload'>;

/**
 * Log frames stop at this size, well under Lambda's 200 MB streamed-response
 * maximum, so that a chatty task cannot cost the CLI its result or the
 * function its memory; the whole log is in CloudWatch either way.
 */
const LOG_FRAME_BUDGET_BYTES = 16 * 1024 * 1024;

/**
 * Makes the admin handler answer `InvokeWithResponseStream` live: wrapped
 * with Lambda's `awslambda.streamifyResponse` when it runs in Lambda, it gets
 * a response stream, and an event with `stream: true` gets NDJSON frames,
 * each log line as it is written, then the result. Any other event (a plain
 * `Invoke` from the console, a schedule or the release phase) gets the run
 * result alone as JSON, so that those callers see exactly what they did
 * before. Called with a context instead of a stream (the local stage), it
 * resolves to the run result as before.
 *
 * Either way an event whose `release` differs from the function's own
 * (`CNF_RELEASE`) runs nothing and ends with exit code 78.
 */
function withResponseStreaming(run: RunHandler): AdminHandler {
  const entry = (event: unknown, second?: unknown, third?: unknown): Promise<RunResult | void> =>
    isResponseStream(second)
      ? streamRun(run, event, second, third as AdminInvocationContext | undefined)
      : checkedRun(run, event, second as AdminInvocationContext | undefined);
  const runtime = (globalThis as { awslambda?: Partial<LambdaRuntimeGlobal> }).awslambda;
  const exported = runtime?.streamifyResponse === undefined ? entry : runtime.streamifyResponse(entry);
  return Object.assign(exported, { describe: () => run.describe(), preload: (task: string) => run.preload(task) }) as AdminHandler;
}

function isResponseStream(value: unknown): value is ResponseStream {
  const candidate = value as Partial<ResponseStream> | null | undefined;
  return typeof candidate?.write === 'function' && typeof candidate.end === 'function' && typeof candidate.on === 'function';
}

function fieldOf(event: unknown, key: string): unknown {
  return typeof event === 'object' && event !== null ? (event as Record<string, unknown>)[key] : undefined;
}

/** Runs the event unless it was planned for another release than the one this function serves. */
async function checkedRun(run: RunHandler, event: unknown, context: AdminInvocationContext | undefined): Promise<RunResult> {
  const planned = fieldOf(event, 'release');
  const served = readCnfEnvironment().release;
  if (typeof planned === 'string' && served !== undefined && planned !== served) {
    const runId = fieldOf(event, 'runId');
    const task = fieldOf(event, 'task');
    return {
      runId: isValidRunId(runId) ? runId : newRunId(),
      task: typeof task === 'string' ? task : '',
      release: served,
      exitCode: ExitCode.RELEASE_MISMATCH,
      durationMs: 0,
      error: {
        name: 'ReleaseMismatch' satisfies RefusalName,
        message: `This admin function serves release ${served}, not the planned ${planned}; nothing ran.`,
      },
    };
  }
  return run(event, context);
}

async function streamRun(run: RunHandler, event: unknown, stream: ResponseStream, context: AdminInvocationContext | undefined) {
  const frames = fieldOf(event, 'stream') === true;
  const writer = new FrameWriter(stream);
  stream.setContentType?.(frames ? FRAMES_CONTENT_TYPE : 'application/json');
  const untap = frames ? tapLogLines((line) => writer.log(line)) : undefined;
  let result: RunResult;
  try {
    result = await checkedRun(run, event, context);
  } finally {
    untap?.();
  }
  writer.write(frames ? encodeFrame({ type: 'result', result }) : JSON.stringify(result));
  await writer.end();
}

/** Writes frames to the response stream until the log budget is spent or the client is gone. */
class FrameWriter {
  #logBytes = 0;
  #truncated = false;
  #broken = false;

  constructor(private readonly stream: ResponseStream) {
    // The caller hung up (Ctrl-C, a cut network): the run goes on, its log goes to CloudWatch.
    stream.on('error', () => {
      this.#broken = true;
    });
  }

  log(line: string): void {
    if (this.#truncated) return;
    const frame = encodeFrame({ type: 'log', line });
    this.#logBytes += Buffer.byteLength(frame);
    if (this.#logBytes > LOG_FRAME_BUDGET_BYTES) {
      this.#truncated = true;
      const notice: RunFrame = {
        type: 'notice',
        message: `The run's output passed ${LOG_FRAME_BUDGET_BYTES / 1024 / 1024} MB; the rest is in its CloudWatch log only.`,
      };
      this.write(encodeFrame(notice));
      return;
    }
    this.write(frame);
  }

  write(text: string): void {
    if (!this.#broken) this.stream.write(text);
  }

  end(): Promise<void> {
    if (this.#broken) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.on('error', () => resolve());
      this.stream.end(() => resolve());
    });
  }
}

export { LOG_FRAME_BUDGET_BYTES, withResponseStreaming };
export type { ResponseStream };
