/**
 * Whether the processes of a run's owner are there still, told by their
 * pids and their start times (a pid the system gave to another process is
 * not the owner's): the local ledger reads a run whose processes are gone
 * as lost at once, and any ledger's reader on this host lets a run whose
 * processes are there outlive its deadline.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { probeProcess } from './process-probe.js';
import type { RunOwner } from './run.js';

/**
 * When process `pid` started, as the system says: on Linux field 22 of
 * `/proc/<pid>/stat` (clock ticks since boot), elsewhere `ps -o lstart=`.
 * Undefined when there is no such process (or it has died, and is a zombie).
 */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie (state Z) has died; only its parent has not yet collected its exit status.
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && process.platform === 'linux') return undefined;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined;
  }
  try {
    const text = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined; // ps exits 1 when there is no such process
  }
}

/**
 * Whether `owner` is surely gone, and the run's own process with it: they
 * ran on this host, and no process with the pid runs, or the one that does
 * started at another time (the pid was reused). An owner on another host, or
 * one whose start time is unknown, is never called gone.
 */
function isOwnerGone(owner: RunOwner): boolean {
  if (owner.host !== hostname()) return false;
  return (
    isProcessGone(owner.pid, owner.startTime) && (owner.runner === undefined || isProcessGone(owner.runner.pid, owner.runner.startTime))
  );
}

function isProcessGone(pid: number, startedAt: string): boolean {
  if (startedAt === 'unknown') return false;
  if (probeProcess(pid) === 'gone') return true;
  const startTime = processStartTime(pid);
  // Linux reads a zombie as gone; elsewhere a process that answers but whose start cannot be read is not called gone.
  if (startTime === undefined) return process.platform === 'linux';
  return startTime !== startedAt;
}

export { isOwnerGone, processStartTime };
