import { InvokeWithResponseStreamCommand, type InvokeWithResponseStreamResponseEvent } from './sdk/lambda.js';
import type { RunFrame } from '../../core/platform.js';
import { FrameDecoder, runResultOfPayload } from '../../core/run-frames.js';
import type { AdminEvent, RunResult } from '../../core/run.js';
import { INTERRUPTED, iterateUntilAborted } from '../../core/abortable.js';
import { failedRunResult, failureOf, type FailedRun, type FunctionFailure } from './function-outcome.js';
import { checkExecutedVersion, invokeBuffered, tailOf, type AdminInvocation } from './invoke-buffered.js';
import { isStreamingUnavailable, sendInvoke, type SendInvokeOptions } from './invoke-request.js';
import { payloadOf } from './lambda-limits.js';
import type { LineTally } from './log-lines.js';

/** How an attached invoke ended, as far as Lambda told. */
type InvokeEnd =
  | {
      readonly kind: 'ended';
      readonly result: RunResult;
      readonly requestId: string | undefined;
      /** The last 4 KB of the log, as Lambda returned it. */
      readonly tail: readonly string[];
    }
  /** The user pressed Ctrl-C: the run goes on in AWS. */
  | { readonly kind: 'interrupted' }
  /** The stream broke after the run started: the run goes on, and its log tells the rest. */
  | { readonly kind: 'connection-lost'; readonly error: unknown };

/** An attached run: the invocation, and the event planned for one release. */
interface AttachedRun extends AdminInvocation {
  readonly event: AdminEvent & { readonly runId: string };
  readonly release: string;
}

/** A stream answer without a stream: it ends at once, and without a result. */
async function* noEvents(): AsyncGenerator<InvokeWithResponseStreamResponseEvent> {
  yield* [];
}

const NO_RESULT: FunctionFailure = { errorType: 'NoRunResult', message: 'the function answered without a run result' };

/**
 * Invokes the admin function at the planned version and yields the run's
 * output as it happens (`InvokeWithResponseStream`, NDJSON frames), falling
 * back to a synchronous `Invoke` where streaming is unavailable. Every log
 * line it yields is counted in `shown`. It returns how the invoke ended; it
 * never invokes twice.
 *
 * @throws UsageError (64) for a payload over Lambda's limit, before sending.
 * @throws TryAgainError (75) when Lambda keeps throttling; InvokeOutcomeUnknownError (69) on a 5xx.
 * @throws ReleaseMismatchError (78) when Lambda ran another version than planned.
 */
async function* invokeStreaming(run: AttachedRun, shown: LineTally, options: SendInvokeOptions = {}): AsyncGenerator<RunFrame, InvokeEnd> {
  const failed: FailedRun = { runId: run.event.runId, task: run.event.task, release: run.release, startedAt: Date.now() };
  const payload = payloadOf({ ...run.event, release: run.release, stream: true }, 'synchronous');
  let answer;
  try {
    answer = await sendInvoke(
      run,
      payload,
      (signal) =>
        run.client.send(
          new InvokeWithResponseStreamCommand({
            FunctionName: run.functionName,
            Qualifier: run.qualifier,
            Payload: payload,
            LogType: 'Tail',
          }),
          { abortSignal: signal },
        ),
      { ...options, passThrough: isStreamingUnavailable },
    );
  } catch (error) {
    if (!isStreamingUnavailable(error)) throw error;
    yield {
      type: 'notice',
      message: "Lambda cannot stream here (InvokeWithResponseStream is unavailable); the run's output shows when it ends.",
    };
    return invokeWithoutStream(run, failed, options);
  }
  if (answer === INTERRUPTED) return { kind: 'interrupted' };
  checkExecutedVersion(run, answer.ExecutedVersion);

  const decoder = new FrameDecoder();
  let result: RunResult | undefined;
  let failure: FunctionFailure | undefined;
  let completed = false;
  let tail: string[] = [];
  const take = (frames: RunFrame[]): RunFrame[] =>
    frames.filter((frame) => {
      if (frame.type === 'result') result = frame.result;
      else if (frame.type === 'log') shown.add(frame.line);
      return frame.type !== 'result';
    });
  try {
    for await (const item of iterateUntilAborted(answer.EventStream ?? noEvents(), options.signal)) {
      if (item.PayloadChunk?.Payload !== undefined) yield* take(decoder.push(item.PayloadChunk.Payload));
      else if (item.InvokeComplete !== undefined) {
        completed = true;
        tail = tailOf(item.InvokeComplete.LogResult);
        if (item.InvokeComplete.ErrorCode !== undefined)
          failure = failureOf(item.InvokeComplete.ErrorCode, item.InvokeComplete.ErrorDetails);
      }
    }
  } catch (error) {
    if (options.signal?.aborted === true) return { kind: 'interrupted' };
    return { kind: 'connection-lost', error };
  }
  if (options.signal?.aborted === true) return { kind: 'interrupted' };
  yield* take(decoder.end());
  if (result === undefined && !completed) return { kind: 'connection-lost', error: new Error('the stream ended before the run did') };
  return { kind: 'ended', result: result ?? failedRunResult(failed, failure ?? NO_RESULT), requestId: answer.$metadata.requestId, tail };
}

async function invokeWithoutStream(run: AttachedRun, failed: FailedRun, options: SendInvokeOptions): Promise<InvokeEnd> {
  const answer = await invokeBuffered(run, payloadOf({ ...run.event, release: run.release }, 'synchronous'), {
    ...options,
    logType: 'Tail',
  });
  if (answer === INTERRUPTED) return { kind: 'interrupted' };
  const result = answer.functionError === undefined ? runResultOfPayload(answer.text) : undefined;
  return {
    kind: 'ended',
    result:
      result ?? failedRunResult(failed, answer.functionError === undefined ? NO_RESULT : failureOf(answer.functionError, answer.text)),
    requestId: answer.requestId,
    tail: answer.tail,
  };
}

export { invokeStreaming };
export type { AttachedRun, InvokeEnd };
