import { InvokeCommand, type InvokeCommandInput, type LambdaClient, type LogType } from './sdk/lambda.js';
import { ReleaseMismatchError } from '../../core/errors.js';
import { INTERRUPTED } from '../../core/abortable.js';
import { sendInvoke, type InvokeCall, type SendInvokeOptions } from './invoke-request.js';

/** An invoke of the admin function at a version: the client, the call, and the payload. */
interface AdminInvocation extends InvokeCall {
  /** The Lambda client that never retries an invoke. */
  readonly client: LambdaClient;
}

/** What a synchronous invoke answered. */
interface BufferedAnswer {
  /** The payload as text: a run result, or Lambda's error object. */
  readonly text: string;
  /** `Unhandled` when the function failed instead of answering. */
  readonly functionError: string | undefined;
  readonly requestId: string | undefined;
  /** The last 4 KB of the invocation's log, line by line. */
  readonly tail: readonly string[];
}

/**
 * The lines of a `LogResult` (the base64 tail of the log that `LogType: Tail` asks for).
 */
function tailOf(logResult: string | undefined): string[] {
  if (logResult === undefined || logResult === '') return [];
  return Buffer.from(logResult, 'base64')
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
}

/**
 * Checks that Lambda ran the version the plan named, so that the release
 * cannot change between the plan and the run. A call by alias (a stop, or
 * the end of a container run recorded: they act on a run, and are no run of
 * a release) names no version to hold Lambda to: Lambda runs, and reports,
 * the version the alias points at then.
 *
 * @throws ReleaseMismatchError (78) naming both versions.
 */
function checkExecutedVersion(call: InvokeCall, executed: string | undefined): void {
  if (executed === undefined || executed === call.qualifier || !isVersionNumber(call.qualifier)) return;
  throw new ReleaseMismatchError(`Lambda ran version ${executed} of ${call.functionName}, not the planned version ${call.qualifier}.`, {
    hint: `Whether the run did anything shows in its log: cnf-admin logs ${call.runId} --stage ${call.stage}`,
  });
}

/** Whether a qualifier is a published version (`5`), not an alias (`live`) or `$LATEST`. */
function isVersionNumber(qualifier: string): boolean {
  return /^\d+$/.test(qualifier);
}

/** Sends one `Invoke` of the admin function at the planned version (see {@link sendInvoke}). */
function invoke(
  invocation: AdminInvocation,
  payload: Uint8Array,
  input: Pick<InvokeCommandInput, 'InvocationType' | 'LogType'>,
  options: SendInvokeOptions,
) {
  return sendInvoke(
    invocation,
    payload,
    (signal) =>
      invocation.client.send(
        new InvokeCommand({ FunctionName: invocation.functionName, Qualifier: invocation.qualifier, Payload: payload, ...input }),
        { abortSignal: signal },
      ),
    options,
  );
}

/**
 * Invokes the admin function and waits for its whole answer: the fallback
 * where streaming is unavailable, and the way `tasks` asks for the catalog.
 * Resolves to {@link INTERRUPTED} on Ctrl-C (a started run goes on).
 */
async function invokeBuffered(
  invocation: AdminInvocation,
  payload: Uint8Array,
  options: SendInvokeOptions & { readonly logType?: LogType } = {},
): Promise<BufferedAnswer | typeof INTERRUPTED> {
  const logType = options.logType === undefined ? {} : { LogType: options.logType };
  const answer = await invoke(invocation, payload, { InvocationType: 'RequestResponse', ...logType }, options);
  if (answer === INTERRUPTED) return INTERRUPTED;
  checkExecutedVersion(invocation, answer.ExecutedVersion);
  return {
    text: answer.Payload === undefined ? '' : Buffer.from(answer.Payload).toString('utf8'),
    functionError: answer.FunctionError,
    requestId: answer.$metadata.requestId,
    tail: tailOf(answer.LogResult),
  };
}

/**
 * Starts the admin function without waiting for it (`--detach`): an
 * asynchronous invoke, accepted once Lambda has queued the event.
 */
async function invokeDetached(invocation: AdminInvocation, payload: Uint8Array, options: SendInvokeOptions = {}): Promise<void> {
  await invoke(invocation, payload, { InvocationType: 'Event' }, options);
}

export { checkExecutedVersion, invokeBuffered, invokeDetached, tailOf };
export type { AdminInvocation, BufferedAnswer };
