import type { Style } from '../io.js';

/** Keys every line of a run carries, or that say nothing a reader needs. */
const QUIET_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'runId',
  'task',
  'release',
  'xray_trace_id',
  'function_arn',
  'function_name',
  'function_memory_size',
  'function_request_id',
  'cold_start',
  'error',
]);

const LEVEL_STYLES: Readonly<Record<string, Style>> = { WARN: 'yellow', ERROR: 'red', CRITICAL: 'red', DEBUG: 'dim', TRACE: 'dim' };

interface StructuredLine {
  readonly level: string;
  readonly message: unknown;
  readonly timestamp?: string;
  readonly error?: { readonly name?: string; readonly message?: string; readonly stack?: string };
  readonly [key: string]: unknown;
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

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A log line as a person reads it: a structured JSON line becomes
 * `14:39:27.123 INFO  Applied 0001 key=value`, with an error's stack below;
 * any other line stays as it is.
 */
function formatLogLine(line: string, style: (style: Style, text: string) => string): string {
  const entry = parseStructured(line);
  if (entry === undefined) return line;
  const time = entry.timestamp === undefined ? '' : `${style('dim', entry.timestamp.slice(11, 23))} `;
  const level = entry.level.toUpperCase();
  const label = style(LEVEL_STYLES[level] ?? 'cyan', level.padEnd(5));
  const extras = Object.entries(entry)
    .filter(([key]) => !QUIET_KEYS.has(key))
    .map(([key, value]) => style('dim', `${key}=${formatValue(value)}`));
  const head = [`${time}${label} ${formatValue(entry.message)}`, ...extras].join(' ');
  const error = entry.error;
  if (error === undefined) return head;
  const detail = error.stack ?? `${error.name ?? 'Error'}: ${error.message ?? ''}`;
  return `${head}\n${detail
    .split('\n')
    .map((text) => `    ${text}`)
    .join('\n')}`;
}

export { formatLogLine };
