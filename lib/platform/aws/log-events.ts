import { FilterLogEventsCommand, type CloudWatchLogsClient } from './sdk/logs.js';
import { callAws } from './aws-errors.js';
import type { LogEvent } from './log-lines.js';

/** Where a stage's run logs are. */
interface LogGroupRef {
  readonly logs: CloudWatchLogsClient;
  readonly logGroup: string;
  readonly stage: string;
}

/** A query over a log group. */
interface LogQuery {
  /** A CloudWatch filter pattern, e.g. `"<run id>"`. @default - every event */
  readonly filterPattern?: string;
  /** Epoch milliseconds, inclusive. */
  readonly startTime?: number;
  /** Only these streams. */
  readonly logStreamNames?: readonly string[];
}

/**
 * Every event of the log group that matches, reading all pages of
 * `FilterLogEvents`, in time order.
 *
 * @throws UnavailableError (69) when the log group does not exist; PermissionError (77) without logs:FilterLogEvents.
 */
async function filterEvents(group: LogGroupRef, query: LogQuery): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callAws({ action: 'logs:FilterLogEvents', resource: `log group ${group.logGroup}`, stage: group.stage }, () =>
      group.logs.send(
        new FilterLogEventsCommand({
          logGroupName: group.logGroup,
          ...(query.filterPattern === undefined ? {} : { filterPattern: query.filterPattern }),
          ...(query.startTime === undefined ? {} : { startTime: Math.max(0, Math.floor(query.startTime)) }),
          ...(query.logStreamNames === undefined ? {} : { logStreamNames: [...query.logStreamNames] }),
          nextToken,
        }),
      ),
    );
    for (const event of page.events ?? []) {
      events.push({
        timestamp: event.timestamp ?? 0,
        message: event.message ?? '',
        ...(event.eventId === undefined ? {} : { eventId: event.eventId }),
        ...(event.logStreamName === undefined ? {} : { logStreamName: event.logStreamName }),
      });
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  // Pages interleave streams; a stable sort keeps each stream's own order.
  return events.sort((a, b) => a.timestamp - b.timestamp);
}

/** What an event holds, to recognise one that arrives both from a query and from Live Tail (which gives no event id). */
function contentKey(event: LogEvent): string {
  return `${event.timestamp}|${event.logStreamName ?? ''}|${event.message}`;
}

/** A filter pattern that matches events holding any of the terms. */
function anyOf(...terms: readonly string[]): string {
  return terms.length === 1 ? JSON.stringify(terms[0]) : terms.map((term) => `?${JSON.stringify(term)}`).join(' ');
}

export { anyOf, contentKey, filterEvents };
export type { LogGroupRef, LogQuery };
