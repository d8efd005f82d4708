/*
 * The one way cnf-admin shows a moment to a person: every table, record,
 * notice and error the CLI prints (runs, runs show, logs, releases, status,
 * config history, rollback, db status, lock and in-progress messages).
 * Always this machine's time zone, to the second, so that a run's STARTED in
 * `runs`, its `started` in `runs show` and the times of its log lines agree.
 * `--json` keeps the stored ISO 8601 strings (UTC) for scripts; the ui page
 * formats in the browser.
 */

const two = (value: number): string => String(value).padStart(2, '0');

/**
 * A moment as people read it: `2026-11-24 14:39:27`, in this machine's time
 * zone. A text that is no date stays as it is.
 *
 * @example
 * formatMoment('2026-11-24T14:39:27.123Z'); // '2026-11-24 14:39:27' (TZ=UTC)
 */
function formatMoment(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${timeOfDay(date)}`;
}

/**
 * The time of day of a log line, in the zone and shape of {@link formatMoment},
 * to the millisecond: `14:39:27.123`. A text that is no date stays as it is.
 *
 * @example
 * formatLogTime('2026-11-24T14:39:27.123Z'); // '14:39:27.123' (TZ=UTC)
 */
function formatLogTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${timeOfDay(date)}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** An ISO 8601 moment in UTC, as the admin function writes one into a message. */
const ISO_MOMENT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g;

/**
 * A message as the CLI shows it to a person: each ISO 8601 moment in UTC
 * that the admin function wrote into it (it cannot know the reader's zone)
 * in the shape of {@link formatMoment}. The ledger and `--json` keep the
 * message as it was written.
 *
 * @example
 * localizedMoments('locked since 2026-11-24T14:39:27.123Z'); // 'locked since 2026-11-24 14:39:27' (TZ=UTC)
 */
function localizedMoments(message: string): string {
  return message.replace(ISO_MOMENT, (iso) => formatMoment(iso));
}

function timeOfDay(date: Date): string {
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

export { formatLogTime, formatMoment, localizedMoments };
