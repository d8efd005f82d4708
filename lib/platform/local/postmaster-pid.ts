import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probeProcess } from '../../core/process-probe.js';
import { commandLineNames } from './process-command-line.js';

/** What PostgreSQL's lock file `postmaster.pid` says about the postmaster that holds a data directory. */
interface PostmasterLock {
  readonly pid: number;
  /** The data directory as the postmaster was given it. */
  readonly dataDir: string;
  readonly port: number;
  /** What it says of the postmaster (`starting`, `ready`, `stopping`), once it has said it. */
  readonly status?: string;
}

/* postmaster.pid: pid, data directory, start time, port, socket directory, listen address, shared memory key, status. */
const STATUS_LINE = 7;

/**
 * Reads `postmaster.pid` in `dataDir` (its first lines are the pid, the data
 * directory and the port; its eighth the postmaster's status), or resolves to
 * undefined when there is none or it is not one PostgreSQL wrote.
 */
async function readPostmasterLock(dataDir: string): Promise<PostmasterLock | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const lines = text.split('\n');
  const [pid, dir, , port] = lines;
  const status = lines[STATUS_LINE]?.trim();
  const parsed = { pid: Number(pid), dataDir: dir ?? '', port: Number(port), ...(status ? { status } : {}) };
  return Number.isInteger(parsed.pid) && parsed.pid > 0 && parsed.dataDir !== '' ? parsed : undefined;
}

/**
 * Whether a process with this pid exists and has not ended. A process that
 * ended but was not reaped yet (a zombie: a detached server whose parent is
 * gone waits for the init process, which may take seconds) counts as ended.
 */
function isAlive(pid: number): boolean {
  return probeProcess(pid) === 'exists' && !isZombie(pid);
}

/* Linux says a process's state in /proc/<pid>/stat, after its name in parentheses; elsewhere a zombie is not told. */
function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/**
 * Whether the postmaster a lock file names still runs: its pid is alive and
 * is that postmaster, not a process that took over the pid since (a lock
 * file left by a server killed with the machine, read after a reboot). On
 * Linux the process must have been started on the lock's data directory
 * (`postgres -D <dataDir>`, as its command line says); elsewhere, where no
 * command line is at hand, a live pid counts.
 */
function isPostmasterAlive(lock: PostmasterLock): boolean {
  return isAlive(lock.pid) && commandLineNames(lock.pid, lock.dataDir);
}

/**
 * Waits until the process is gone, checking every 10 ms.
 *
 * @returns whether it went within `timeoutMs`.
 */
async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const giveUpAt = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > giveUpAt) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/**
 * Waits until no process has this pid, a zombie included (checking every
 * 10 ms): PostgreSQL asks only `kill(pid, 0)` of the pid in its lock file,
 * which a zombie answers, so it refuses to start ("lock file already
 * exists") until init has reaped the postmaster that ended.
 *
 * @returns whether it was reaped within `timeoutMs`.
 */
async function waitForReaping(pid: number, timeoutMs: number): Promise<boolean> {
  const giveUpAt = Date.now() + timeoutMs;
  while (probeProcess(pid) === 'exists') {
    if (Date.now() > giveUpAt) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

export { isAlive, isPostmasterAlive, readPostmasterLock, waitForExit, waitForReaping };
export type { PostmasterLock };
