import { UnavailableError } from '../../core/errors.js';
import { TryAgainError } from '../../core/errors.js';
import { httpStatusOf, isDroppedConnection, isNotFound, isThrottling, mayHaveLanded, translateAwsError } from './aws-errors.js';
import { INTERRUPTED, pause, untilAborted } from '../../core/abortable.js';
import { sdkErrorWithout } from './secret-free-error.js';
import { DESCRIBE_TASK, PING_TASK, STOP_RUN_TASK } from '../../core/task-catalog.js';

/** Waits between attempts of a throttled invoke: about 15 s in all, then exit 75. */
const THROTTLE_DELAYS_MS: readonly number[] = [500, 1_000, 2_000, 4_000, 8_000];

/** Lambda asks for no more than this wait before a retry; longer is the next attempt's business. */
const MAX_RETRY_AFTER_MS = 30_000;

/** One invoke of the admin function, as the messages name it. */
interface InvokeCall {
  readonly functionName: string;
  readonly qualifier: string;
  readonly stage: string;
  readonly runId: string;
}

/** Options of {@link sendInvoke}. */
interface SendInvokeOptions {
  /** Ctrl-C: stop waiting (the request is aborted; a run that started goes on). */
  readonly signal?: AbortSignal;
  /** The waits between attempts of a throttled invoke. @default about 15 s in all */
  readonly throttleDelaysMs?: readonly number[];
  /** Errors the caller handles itself, thrown as they are. @default - none */
  readonly passThrough?: (error: unknown) => boolean;
}

/**
 * Lambda failed in a way that leaves open whether the function ran (a 5xx,
 * a connection that broke after the request went out). It is not retried:
 * a retry could run a migration twice.
 */
class InvokeOutcomeUnknownError extends UnavailableError {}

/**
 * Sends an invoke of the admin function, whose event is `payload`.
 * Throttling (which means the function did not run) is retried after a wait,
 * a bounded number of times; nothing else is. Resolves to
 * {@link INTERRUPTED} when the user interrupts. An error never quotes the
 * event's args: Lambda's refusal of a payload quotes it (`Could not parse
 * request body into json: Unrecognized token '…'`), and on AWS the CLI
 * cannot tell a secure value among them.
 *
 * @throws TryAgainError (75) when still throttled after the last attempt.
 * @throws InvokeOutcomeUnknownError (69) on a 5xx or a broken connection, saying how to check the run.
 */
async function sendInvoke<T>(
  call: InvokeCall,
  payload: Uint8Array,
  send: (signal: AbortSignal | undefined) => Promise<T>,
  options: SendInvokeOptions = {},
): Promise<T | typeof INTERRUPTED> {
  const delays = options.throttleDelaysMs ?? THROTTLE_DELAYS_MS;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await untilAborted(send(options.signal), options.signal);
    } catch (error) {
      if (options.signal?.aborted === true) return INTERRUPTED;
      if (options.passThrough?.(error) === true) throw error;
      const delay = delays[attempt];
      if (!isThrottling(error)) throw invokeError(sdkErrorWithout(error, argTextsOf(payload)), call, eventOf(payload));
      if (delay === undefined) {
        throw new TryAgainError(
          `Lambda throttled the invoke of ${call.functionName}:${call.qualifier} ${attempt + 1} times (${reasonOf(error)}); nothing ran.`,
          { hint: "Try again later, or give the admin function more concurrency (it may share the account's limit).", cause: error },
        );
      }
      if (!(await pause(Math.max(delay, retryAfterMs(error)), options.signal))) return INTERRUPTED;
    }
  }
}

/** Whether an error of `InvokeWithResponseStream` means this endpoint cannot stream (so nothing ran). */
function isStreamingUnavailable(error: unknown): boolean {
  const { name = '', message = '' } = error as { name?: string; message?: string };
  if (isNotFound(error)) return false;
  const status = httpStatusOf(error);
  return (
    ['UnknownOperationException', 'UnsupportedOperation', 'NotImplemented', 'InvalidAction'].includes(name) ||
    status === 404 ||
    status === 501 ||
    /not (yet )?(implemented|supported)/i.test(message)
  );
}

/* The reserved tasks that only read (the catalog, a ping): no run of theirs can have happened, whatever became of the invoke. */
const READ_ONLY_TASKS: ReadonlySet<string> = new Set([DESCRIBE_TASK, PING_TASK]);

function invokeError(error: unknown, call: InvokeCall, event: { task?: string; stopped?: string } = {}): unknown {
  // Lambda failed on its side, or the answer was lost after the request went out: the run may have happened.
  if (mayHaveLanded(error) && !(event.task !== undefined && READ_ONLY_TASKS.has(event.task))) {
    const { name = 'Error', message = '' } = error as { name?: string; message?: string };
    const status = httpStatusOf(error);
    // The SDK names a dropped connection TimeoutError: it is no timeout, and Lambda did not fail.
    const what = isDroppedConnection(error)
      ? `The connection to Lambda was dropped during the invoke of ${call.functionName}:${call.qualifier} (${message})`
      : `Lambda failed the invoke of ${call.functionName}:${call.qualifier} (${name}${status === undefined ? '' : `, HTTP ${status}`}: ${message})`;
    // A stop's invoke is no run of its own: what may or may not have happened is the stop of the run it names.
    if (event.task === STOP_RUN_TASK && event.stopped !== undefined)
      return new InvokeOutcomeUnknownError(`${what}. The stop of run ${event.stopped} may or may not have happened; it is not retried.`, {
        hint: `Check it with: cnf-admin runs show ${event.stopped} --stage ${call.stage}`,
        cause: error,
      });
    return new InvokeOutcomeUnknownError(`${what}. Run ${call.runId} may or may not have happened; it is not retried.`, {
      hint: `Check it with: cnf-admin runs show ${call.runId} --stage ${call.stage} (or cnf-admin logs ${call.runId} --stage ${call.stage})`,
      cause: error,
    });
  }
  return translateAwsError(error, {
    action: 'lambda:InvokeFunction',
    resource: `function ${call.functionName}:${call.qualifier}`,
    stage: call.stage,
  });
}

/** The task the event `payload` names, and the run a stop's args name. */
function eventOf(payload: Uint8Array): { task?: string; stopped?: string } {
  try {
    const { task, args } = JSON.parse(new TextDecoder().decode(payload)) as { task?: unknown; args?: { runId?: unknown } };
    return {
      ...(typeof task === 'string' ? { task } : {}),
      ...(typeof args?.runId === 'string' ? { stopped: args.runId } : {}),
    };
  } catch {
    return {};
  }
}

/** Every string among the args of the event `payload` holds (`args`, at any depth, keys too, and the task's flags, `argv`). */
function argTextsOf(payload: Uint8Array): string[] {
  const texts: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') texts.push(value);
    else if (typeof value === 'object' && value !== null)
      for (const [key, item] of Object.entries(value)) {
        if (!Array.isArray(value)) texts.push(key);
        collect(item);
      }
  };
  const event = JSON.parse(new TextDecoder().decode(payload)) as { args?: unknown; argv?: unknown };
  collect([event.args, event.argv]);
  return texts;
}

/* What a throttled invoke's error said: its name (a 429 may carry none), and Lambda's reason where it gave one. */
function reasonOf(error: unknown): string {
  const { name = 'HTTP 429', Reason } = error as { name?: string; Reason?: string };
  return Reason === undefined ? name : `${name}: ${Reason}`;
}

function retryAfterMs(error: unknown): number {
  const seconds = Number((error as { retryAfterSeconds?: string }).retryAfterSeconds);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : 0;
}

export { InvokeOutcomeUnknownError, isStreamingUnavailable, sendInvoke, THROTTLE_DELAYS_MS };
export type { InvokeCall, SendInvokeOptions };
