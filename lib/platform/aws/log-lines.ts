import type { RunFrame } from '../../core/platform.js';
import type { LambdaRecord, LambdaReportMetrics } from '../../core/platform-record.js';

/** One event of a CloudWatch log. */
interface LogEvent {
  readonly eventId?: string;
  readonly timestamp: number;
  readonly message: string;
  readonly logStreamName?: string;
}

/** The line an event holds, without the newline CloudWatch keeps. */
function lineOf(event: LogEvent): string {
  return event.message.replace(/\r?\n$/, '');
}

/* Lambda's own line around a console call: `2026-11-24T14:39:27.123Z <request id> INFO <message>` (text log format). */
const TEXT_CONSOLE_LINE = /^\d{4}-\d\d-\d\dT[^\t]+\t[0-9a-f-]+\t(?:INFO|WARN|ERROR|DEBUG|TRACE|FATAL)\t(.*)$/s;

/**
 * What a line says, whatever the wrapping Lambda gave it: a console call
 * reaches CloudWatch wrapped (JSON `{"timestamp","level","requestId","message"}`
 * or text with a time and request id), while the live stream showed it bare.
 * Two lines with the same key are the same line.
 */
function lineKey(line: string): string {
  // Lambda's text format turns the newlines inside a console message into carriage returns.
  const bare = line.replace(/\r?\n$/, '').replace(/\r\n?/g, '\n');
  const text = TEXT_CONSOLE_LINE.exec(bare);
  if (text !== null) return text[1] as string;
  if (!bare.startsWith('{')) return bare;
  try {
    const entry = JSON.parse(bare) as { requestId?: unknown; runId?: unknown; message?: unknown };
    if (typeof entry.requestId === 'string' && entry.runId === undefined && entry.message !== undefined) {
      return typeof entry.message === 'string' ? entry.message : JSON.stringify(entry.message);
    }
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  return bare;
}

/** The lines already shown, counted, so that each is left out of the full log exactly as often as it was shown. */
class LineTally {
  readonly #counts = new Map<string, number>();
  #pending = 0;

  add(line: string): void {
    const key = lineKey(line);
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    this.#pending += 1;
  }

  /** Whether `line` was shown and not yet matched; matches it. */
  take(line: string): boolean {
    const key = lineKey(line);
    const count = this.#counts.get(key) ?? 0;
    if (count === 0) return false;
    this.#counts.set(key, count - 1);
    this.#pending -= 1;
    return true;
  }

  /** Shown lines that the log has not matched yet. */
  get pending(): number {
    return this.#pending;
  }
}

/** Lambda's report at the end of an invocation: how it ended. */
interface PlatformReport {
  readonly requestId: string;
  /** `success`, `timeout`, `error`, `failure`. */
  readonly status: string;
  readonly errorType?: string;
}

/** Reads Lambda's end-of-invocation report: `REPORT RequestId: ...` (text) or `platform.report` (JSON). */
function platformReportOf(line: string): PlatformReport | undefined {
  const text = /^REPORT RequestId: (\S+)/.exec(line);
  if (text !== null) {
    const errorType = /Error Type: (\S+)/.exec(line)?.[1];
    return {
      requestId: text[1] as string,
      status: /Status: (\w+)/.exec(line)?.[1] ?? 'success',
      ...(errorType === undefined ? {} : { errorType }),
    };
  }
  if (!line.includes('platform.report')) return undefined;
  try {
    const entry = JSON.parse(line) as { type?: unknown; record?: { requestId?: unknown; status?: unknown; errorType?: unknown } };
    if (entry.type !== 'platform.report' || typeof entry.record?.requestId !== 'string') return undefined;
    const { requestId, status, errorType } = entry.record;
    return { requestId, status: typeof status === 'string' ? status : 'success', ...(typeof errorType === 'string' ? { errorType } : {}) };
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

const TEXT_RECORD = /^(START|END|REPORT) RequestId: [0-9a-f-]+/;

/** Lambda's own record, if `line` is one (see {@link LambdaRecord}). */
function lambdaRecordOf(line: string): LambdaRecord | undefined {
  const text = TEXT_RECORD.exec(line);
  if (text !== null) {
    const type = text[1] as string;
    if (type !== 'REPORT') return { type };
    // Tab-separated `Name: value unit` fields.
    const figures = new Map(
      line
        .split('\t')
        .map((field) => /^\s*([A-Za-z ]+): ([0-9.]+)/.exec(field))
        .filter((match) => match !== null)
        .map((match) => [match[1] as string, Number(match[2])]),
    );
    return {
      type,
      ...metricsOf({
        durationMs: figures.get('Duration'),
        billedDurationMs: figures.get('Billed Duration'),
        memorySizeMB: figures.get('Memory Size'),
        maxMemoryUsedMB: figures.get('Max Memory Used'),
        initDurationMs: figures.get('Init Duration'),
      }),
    };
  }
  if (!line.startsWith('{') || !line.includes('"platform.')) return undefined;
  try {
    const entry = JSON.parse(line) as { type?: unknown; time?: unknown; record?: { metrics?: Record<string, unknown> } };
    if (typeof entry.type !== 'string' || !entry.type.startsWith('platform.') || typeof entry.time !== 'string') return undefined;
    return { type: entry.type, ...metricsOf(entry.record?.metrics ?? {}) };
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function metricsOf(figures: Readonly<Record<string, unknown>>): { metrics?: LambdaReportMetrics } {
  const { durationMs, billedDurationMs, memorySizeMB, maxMemoryUsedMB, initDurationMs } = figures;
  if (typeof durationMs !== 'number' || typeof billedDurationMs !== 'number') return {};
  if (typeof memorySizeMB !== 'number' || typeof maxMemoryUsedMB !== 'number') return {};
  return {
    metrics: {
      durationMs,
      billedDurationMs,
      memorySizeMB,
      maxMemoryUsedMB,
      ...(typeof initDurationMs === 'number' ? { initDurationMs } : {}),
    },
  };
}

/** The fields of a structured line (one JSON object, as the runtime's logger writes), or undefined for any other line. */
function structuredEntry(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry: unknown = JSON.parse(line);
    return typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** The task and release a run's structured line carries, if it is one. */
function runKeysOf(line: string): { task: string; release: string } | undefined {
  const entry = structuredEntry(line);
  return typeof entry?.task === 'string' && typeof entry.release === 'string' ? { task: entry.task, release: entry.release } : undefined;
}

/**
 * Whether `line` is a structured line of another run than `runId`. A query by
 * run id matches any line that holds it, so run `m1`'s finds run `m10`'s
 * lines too (and a short `--run-id` can appear inside a request or task id):
 * those are not the run's.
 */
function isOtherRunLine(line: string, runId: string): boolean {
  const owner = runIdOf(line);
  return owner !== undefined && owner !== runId;
}

/**
 * Whether `line` is a structured line of another Lambda invocation than
 * `requestId`: a retry of the same run id, delivered at once, that ran
 * nothing and said so (`already ran`, `still in progress`).
 */
function isOtherInvocationLine(line: string, requestId: string): boolean {
  const invocation = structuredEntry(line)?.function_request_id;
  return typeof invocation === 'string' && invocation !== requestId;
}

/** Whether `line` is a structured line of run `runId`. */
function isRunLine(line: string, runId: string): boolean {
  return runIdOf(line) === runId;
}

/** The run id a structured line names, if it is one. */
function runIdOf(line: string): string | undefined {
  const runId = structuredEntry(line)?.runId;
  return typeof runId === 'string' ? runId : undefined;
}

/** When a run started, from the time stamp that starts a generated run id (`20261124-143927-...`). */
function runIdTime(runId: string): number | undefined {
  const match = /^(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)-/.exec(runId);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  const time = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  return Number.isNaN(time) ? undefined : time;
}

/** A log frame of `line`, carrying Lambda's record parsed when the line is one: the CLI never reads Lambda's text. */
function logFrame(line: string): RunFrame {
  const record = lambdaRecordOf(line);
  return record === undefined ? { type: 'log', line } : { type: 'log', line, record };
}

export {
  LineTally,
  isOtherInvocationLine,
  isOtherRunLine,
  isRunLine,
  lambdaRecordOf,
  lineKey,
  lineOf,
  logFrame,
  platformReportOf,
  runIdTime,
  runKeysOf,
};
export type { LogEvent, PlatformReport };
