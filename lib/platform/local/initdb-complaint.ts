/* A line where initdb, or the server it runs to bootstrap the cluster, says what went wrong. */
const COMPLAINT = /\b(?:FATAL|PANIC):|^initdb: error:/;

/**
 * What initdb's output says went wrong: its last FATAL or PANIC (from the
 * bootstrap server, without the time and pid before it) or `initdb: error:`
 * line, else its last line. initdb's last words on a failure are its
 * clean-up (`initdb: removing contents of data directory …`), which say
 * nothing of why.
 *
 * @example
 * initdbComplaint('running bootstrap script ... 2026-12-06 04:42:09.155 UTC [26945] FATAL:  could not write to file "pg_wal/xlogtemp.26945": No space left on device\nchild process exited with exit code 1\ninitdb: removing contents of data directory "/d"');
 * // 'FATAL:  could not write to file "pg_wal/xlogtemp.26945": No space left on device'
 */
function initdbComplaint(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const complaint = lines.filter((line) => COMPLAINT.test(line)).at(-1);
  if (complaint !== undefined) return complaint.slice(complaint.search(COMPLAINT));
  return lines.at(-1) ?? 'no output';
}

export { initdbComplaint };
