import { readFileSync } from 'node:fs';
import { probeProcess } from '../../core/process-probe.js';

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
    // Gone and ended in between: it is no longer the one named. Gone while it runs (`/proc` mounted hidepid, another
    // user's process), or any other failure, tells nothing.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && probeProcess(pid) === 'gone' ? [] : undefined;
  }
}

/**
 * Whether the process `pid`'s command line names `argument` (a data
 * directory, an instance id): what tells the process a state file names from
 * one that took over its pid since. Where the command line cannot be read
 * (not Linux, hidden), nothing tells otherwise, and it does.
 */
function commandLineNames(pid: number, argument: string): boolean {
  const args = commandLine(pid);
  return args === undefined || args.includes(argument);
}

export { commandLineNames };
