/**
 * How long something took, for people, in its two largest units: `850 ms`,
 * `4.2 s`, `3 min 5 s`, `2 h 5 min`, `10 d 12 h`.
 *
 * @example
 * formatDuration(4210); // '4.2 s'
 */
function formatDuration(ms: number): string {
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  const hours = Math.round(ms / 3_600_000);
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
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
