/**
 * A time stamp as a person reads it in a table, in this machine's time
 * zone, to the minute: `2026-11-24 14:39`, or `11-24 14:39` without the
 * year. A stamp that is not a date stays as it is.
 *
 * @example
 * formatTime('2026-11-24T14:39:27.123Z', { year: false }); // '11-24 14:39' (in UTC)
 */
function formatTime(iso: string, options: { readonly year: boolean }): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (value: number): string => String(value).padStart(2, '0');
  const day = `${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
  return options.year ? `${date.getFullYear()}-${day}` : day;
}

export { formatTime };
