/**
 * How long something took, for people: `850 ms`, `4.2 s`, `3 min 5 s`.
 *
 * @example
 * formatDuration(4210); // '4.2 s'
 */
function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export { formatDuration };
