// Whether a process runs, for the repository's tools.

/**
 * Whether a process with this pid runs: one of another user counts (it
 * cannot be signalled, but it runs).
 */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
