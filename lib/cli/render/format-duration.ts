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

/**
 * A time limit in whole units, for people: `45s`, `10m`, `4h`, `1h30m`.
 *
 * @example
 * formatSeconds(14_400); // '4h'
 */
function formatSeconds(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const parts = [hours > 0 ? `${hours}h` : '', minutes > 0 ? `${minutes}m` : '', rest > 0 || seconds === 0 ? `${rest}s` : ''];
  return parts.join('');
}

export { formatDuration, formatSeconds };
