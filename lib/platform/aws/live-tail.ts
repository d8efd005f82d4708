import { StartLiveTailCommand, type CloudWatchLogsClient } from './sdk/logs.js';
import { isAccessDenied, isNotFound, translateAwsError } from './aws-errors.js';
import { iterateUntilAborted } from '../../core/abortable.js';
import type { LogEvent } from './log-lines.js';

/** A Live Tail session over one log group. */
interface LiveTailSession {
  /** Batches of new events, about one a second, until the session ends or the signal fires. */
  readonly batches: AsyncIterable<LogEvent[]>;
}

/** Why Live Tail is not used: the caller polls instead. */
class LiveTailUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LiveTailUnavailableError';
  }
}

/** What starting a session needs. */
interface LiveTailRequest {
  readonly logs: CloudWatchLogsClient;
  /** The log group's ARN: Live Tail takes no names. */
  readonly logGroupArn: string;
  readonly filterPattern: string;
  readonly stage: string;
  readonly signal?: AbortSignal;
}

/**
 * Starts a CloudWatch Live Tail session (`StartLiveTail`) and resolves once
 * it is open, so that nothing logged after that is missed.
 *
 * @throws LiveTailUnavailableError when this endpoint, region or caller cannot tail (no permission, an endpoint without it)
 * @throws UnavailableError (69) when the log group does not exist.
 */
async function startLiveTail(request: LiveTailRequest): Promise<LiveTailSession> {
  let stream: AsyncIterable<unknown> | undefined;
  try {
    const answer = await request.logs.send(
      new StartLiveTailCommand({ logGroupIdentifiers: [request.logGroupArn], logEventFilterPattern: request.filterPattern }),
      { abortSignal: request.signal },
    );
    stream = answer.responseStream;
  } catch (error) {
    if (isNotFound(error))
      throw translateAwsError(error, { action: 'logs:StartLiveTail', resource: `log group ${request.logGroupArn}`, stage: request.stage });
    const why = isAccessDenied(error) ? 'no logs:StartLiveTail permission' : (error as Error).message;
    throw new LiveTailUnavailableError(`Live Tail is not available (${why})`, { cause: error });
  }
  if (stream === undefined) throw new LiveTailUnavailableError('Live Tail answered without a stream');
  return { batches: batchesOf(stream, request.signal) };
}

async function* batchesOf(stream: AsyncIterable<unknown>, signal: AbortSignal | undefined): AsyncGenerator<LogEvent[]> {
  for await (const item of iterateUntilAborted(stream, signal)) {
    const update = item as {
      sessionUpdate?: { sessionResults?: { message?: string; timestamp?: number; logStreamName?: string }[] };
      SessionTimeoutException?: { message?: string };
      SessionStreamingException?: { message?: string };
    };
    const failure = update.SessionTimeoutException ?? update.SessionStreamingException;
    if (failure !== undefined) throw new LiveTailUnavailableError(`Live Tail ended (${failure.message ?? 'session error'})`);
    const results = update.sessionUpdate?.sessionResults ?? [];
    if (results.length > 0) {
      yield results.map((event) => ({
        timestamp: event.timestamp ?? 0,
        message: event.message ?? '',
        ...(event.logStreamName === undefined ? {} : { logStreamName: event.logStreamName }),
      }));
    }
  }
}

export { LiveTailUnavailableError, startLiveTail };
export type { LiveTailRequest, LiveTailSession };
