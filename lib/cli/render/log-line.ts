import type { LambdaRecord, LambdaReportMetrics } from '../../core/platform-record.js';
import type { Style } from '../io.js';
import { cleanBacktrace, cleanFrame, isStackFrame } from './backtrace.js';
import { formatDuration } from './format-duration.js';
import { formatLogTime, localizedMoments } from '../../core/format-moment.js';
import { RUN_LOG_LINE_KEYS } from '../../core/run-log.js';

/** Keys every line of a run carries, or that say nothing a reader needs (an error is shown below its line). */
const QUIET_KEYS = new Set([...RUN_LOG_LINE_KEYS, 'error']);

/*
 * The runtime's first line carries what the ledger and the JSON log need
 * (source, stage, config fingerprint, the time left): a person reads who
 * started the run and with what args; the header above says the rest.
 */
const RUN_STARTED_KEYS = new Set(['caller', 'args']);

const LEVEL_STYLES: Readonly<Record<string, Style>> = { WARN: 'yellow', ERROR: 'red', CRITICAL: 'red', DEBUG: 'dim', TRACE: 'dim' };

/** An error as the run's logger writes it: its name, message, stack (and `location`, the stack's first frame). */
interface LoggedError {
  readonly name?: string;
  readonly message?: string;
  readonly stack?: string;
}

interface StructuredLine {
  readonly level: string;
  readonly message: unknown;
  readonly timestamp?: string;
  readonly error?: LoggedError;
  readonly [key: string]: unknown;
}

/** Whether a logged value is an error the logger wrote (`log.warn('…', { cause: error })`), not data. */
function isLoggedError(value: unknown): value is LoggedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LoggedError).stack === 'string' &&
    typeof (value as LoggedError).message === 'string'
  );
}

/** An error's stack below its line, indented: the user's frames only, with paths from the project, unless `verbose`. */
function errorDetail(error: LoggedError, verbose: boolean): string {
  const stack = error.stack === undefined || verbose ? error.stack : cleanBacktrace(error.stack);
  const detail = stack ?? `${error.name ?? 'Error'}: ${error.message ?? ''}`;
  return detail
    .split('\n')
    .map((text) => `    ${text}`)
    .join('\n');
}

function parseStructured(line: string): StructuredLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as Partial<StructuredLine>;
    return typeof value.level === 'string' && 'message' in value ? (value as StructuredLine) : undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined; // a line that only looks like JSON
    throw error;
  }
}

/** A value as a line shows it: a string as it is, anything else as JSON. */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch (error) {
    // Nested too deep to write out again (JSON.parse reads what JSON.stringify cannot write): said so, never a crash.
    if (error instanceof RangeError) return '[nested too deep to show]';
    throw error;
  }
}

/** The keys of a structured line worth showing a person. */
function shownExtras(entry: StructuredLine): [string, unknown][] {
  const runStarted = entry.message === 'Run started' && typeof entry.runId === 'string';
  return Object.entries(entry).filter(([key, value]) => {
    if (QUIET_KEYS.has(key)) return false;
    if (!runStarted) return true;
    const empty = typeof value === 'object' && value !== null && Object.keys(value).length === 0;
    return RUN_STARTED_KEYS.has(key) && !empty;
  });
}

/** Lambda's report, in one short line: `Lambda: 2.5 s, billed 2.6 s · 64 of 128 MB memory · cold start 172 ms`. */
function formatLambdaReport(metrics: LambdaReportMetrics): string {
  const parts = [
    `Lambda: ${formatDuration(metrics.durationMs)}, billed ${formatDuration(metrics.billedDurationMs)}`,
    `${metrics.maxMemoryUsedMB} of ${metrics.memorySizeMB} MB memory`,
    ...(metrics.initDurationMs === undefined ? [] : [`cold start ${formatDuration(metrics.initDurationMs)}`]),
  ];
  return parts.join(' · ');
}

/**
 * A log line as a person reads it: a structured JSON line becomes
 * `14:39:27.123 INFO  Applied 0001 key=value`, with an error's stack below;
 * Lambda's report becomes one short line of figures, and its other records
 * (`platform.start`, `START RequestId: …`) are left out: undefined. Any
 * other line stays as it is. The JSON views (`--json`) keep every line.
 * Which line is Lambda's the platform says (the log frame's `record`): the
 * CLI does not read Lambda's text.
 *
 * A stack trace shows only the frames of the user's code, with paths from
 * the project (`lambda/tasks/seed.ts:18:9`); `verbose` shows every frame as
 * it was written.
 */
function formatLogLine(line: string, style: (style: Style, text: string) => string, options: LogLineOptions = {}): string | undefined {
  const { record } = options;
  if (record !== undefined) return record.metrics === undefined ? undefined : style('dim', formatLambdaReport(record.metrics));
  const entry = parseStructured(line);
  // A frame of a stack Node printed itself (a crash): the same cleaning as a logged error's.
  if (entry === undefined) return options.verbose !== true && isStackFrame(line) ? cleanFrame(line) : line;
  const time = entry.timestamp === undefined ? '' : `${style('dim', formatLogTime(entry.timestamp))} `;
  const level = entry.level.toUpperCase();
  const label = style(LEVEL_STYLES[level] ?? 'cyan', level.padEnd(5));
  const shown = shownExtras(entry);
  // An error logged under a key of its own reads as the line's error does: its name and message here, its stack below.
  const extras = shown.map(([key, value]) =>
    style('dim', `${key}=${isLoggedError(value) ? `${value.name ?? 'Error'}: ${value.message}` : formatValue(value)}`),
  );
  const message = localizedMoments(formatValue(entry.message));
  const head = [`${time}${label} ${message}`, ...extras].join(' ');
  const errors = [
    ...(entry.error === undefined ? [] : [entry.error]),
    ...shown.flatMap(([, value]) => (isLoggedError(value) ? [value] : [])),
  ];
  if (errors.length === 0) return head;
  return [head, ...errors.map((error) => errorDetail(error, options.verbose === true))].join('\n');
}

/** Options of {@link formatLogLine}. */
interface LogLineOptions {
  /** Show every stack frame, the tool's too, with the paths as written (`--verbose`). @default false */
  readonly verbose?: boolean;
  /** Lambda's record, when the platform recognised the line as one (the log frame's `record`). */
  readonly record?: LambdaRecord | undefined;
}

export { formatLogLine };
export type { LogLineOptions };
