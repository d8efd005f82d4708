import { readFileSync } from 'node:fs';

/**
 * A process's arguments on Linux, from `/proc/<pid>/cmdline`: what tells the
 * process a state file names from one that took over its pid since (a file
 * left by a crash, read after a reboot).
 *
 * @returns its arguments; none (`[]`) when it ended in between; undefined
 *   where they cannot be read (not Linux, `/proc` mounted `hidepid`).
 */
function commandLine(pid: number): readonly string[] | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch (error) {
    // The process ended in between: it is no longer the one named. Anything else tells nothing.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? [] : undefined;
  }
}

export { commandLine };
