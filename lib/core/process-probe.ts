/**
 * Whether a process id names a process now, by signal 0 (which delivers
 * nothing): `gone` when there is none; `exists` when there is one, this
 * user's or another's. A zombie still exists; so does a process that took
 * over a recycled id (callers that care compare start times).
 *
 * @example
 * probeProcess(process.pid); // 'exists'
 */
function probeProcess(pid: number): 'gone' | 'exists' {
  try {
    process.kill(pid, 0);
    return 'exists';
  } catch (error) {
    // EPERM: a process of another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'gone' : 'exists';
  }
}

export { probeProcess };
