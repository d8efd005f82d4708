import type { RunSource } from '../../core/run.js';
import { RUN_SOURCES } from '../../core/run.js';
import { RUN_STATUSES, type RunStatus } from '../../core/run-status.js';
import { UsageError } from '../../core/errors.js';

/**
 * What the runs page lists, as its address says it (`?status=failed&task=migrate`):
 * the same names in the page's URL and in the API's query.
 */
interface RunFilter {
  readonly status?: RunStatus;
  readonly task?: string;
  readonly release?: string;
  /** A part of the caller, e.g. `alice`. */
  readonly caller?: string;
  readonly source?: RunSource;
  /** ISO 8601: runs started at or after. */
  readonly from?: string;
  /** ISO 8601: runs started before. */
  readonly to?: string;
  /** List console evaluations (`cnf:console`) too. */
  readonly all?: boolean;
}

/** The query parameters of a {@link RunFilter}. */
const FILTER_KEYS = ['status', 'task', 'release', 'caller', 'source', 'from', 'to', 'all'] as const;

function time(params: URLSearchParams, key: 'from' | 'to'): string | undefined {
  const text = params.get(key);
  if (text === null || text === '') return undefined;
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) throw new UsageError(`${key} takes a date and time, got: ${JSON.stringify(text)}`);
  return new Date(parsed).toISOString();
}

function text(params: URLSearchParams, key: string): string | undefined {
  const value = params.get(key)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reads a filter from query parameters.
 *
 * @throws UsageError naming a status, source or time it does not know.
 */
function parseRunFilter(params: URLSearchParams): RunFilter {
  const status = text(params, 'status');
  if (status !== undefined && !RUN_STATUSES.includes(status as RunStatus))
    throw new UsageError(`status takes one of ${RUN_STATUSES.join(', ')}, got: ${JSON.stringify(status)}`);
  const source = text(params, 'source');
  if (source !== undefined && !RUN_SOURCES.includes(source as RunSource))
    throw new UsageError(`source takes one of ${RUN_SOURCES.join(', ')}, got: ${JSON.stringify(source)}`);
  const entries = {
    status,
    task: text(params, 'task'),
    release: text(params, 'release'),
    caller: text(params, 'caller'),
    source,
    from: time(params, 'from'),
    to: time(params, 'to'),
    all: params.get('all') === '1' ? true : undefined,
  };
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as RunFilter;
}

export { FILTER_KEYS, parseRunFilter };
export type { RunFilter };
