// The temporary directory `npm test` gives the suite: a directory of its own
// on a memory file system (tmpfs) where the machine has one with room, so
// that the thousands of files the tests create and delete (project copies,
// `.cnf/` state, releases, PostgreSQL data directories, the packed tool's
// `npm install`) cost no disk work. On ext4, creating a file after many
// deletions walks past every recently deleted inode (the kernel's
// `recently_deleted`): profiled on this machine, that walk was some 15% of
// the processor's time while `package-adoption` installed the tarball, and
// the suite on tmpfs took 316 s of vitest against 340 to 360 s the same
// hour on /tmp (docs/testing.md). A TMPDIR the user set stays as it is.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './process-alive.mjs';

/** Where a Linux machine mounts its shared-memory tmpfs. */
const MEMORY_MOUNT = '/dev/shm';

/** The start of each suite directory's name; the pid of the `npm test` that made it follows. */
const PREFIX = 'cnf-admin-test-';

/** Free space the memory file system must have: the suite's files peaked at some 550 MB. */
const ROOM_NEEDED_BYTES = 4 * 1024 ** 3;

/** Whether `mountPoint` is a tmpfs, as /proc/mounts says (false where there is no /proc/mounts). */
function isTmpfs(mountPoint) {
  try {
    return readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .some((line) => {
        const [, point, type] = line.split(' ');
        return point === mountPoint && type === 'tmpfs';
      });
  } catch {
    return false;
  }
}

/** Whether `dir` has `bytes` free for an unprivileged writer. */
function hasRoom(dir, bytes) {
  try {
    const { bavail, bsize } = statfsSync(dir);
    return bavail * bsize >= bytes;
  } catch {
    return false;
  }
}

/** Removes the suite directories that a killed `npm test` left (their pid runs no more): tmpfs keeps them in memory until a reboot. */
function sweepLeftovers(tell) {
  for (const name of readdirSync(MEMORY_MOUNT)) {
    const pid = Number(new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === 0 || isAlive(pid)) continue;
    try {
      rmSync(join(MEMORY_MOUNT, name), { recursive: true, force: true, maxRetries: 3 });
      tell(`removed ${join(MEMORY_MOUNT, name)}, which an earlier npm test left`);
    } catch (error) {
      tell(`could not remove ${join(MEMORY_MOUNT, name)}, which an earlier npm test left: ${error.message}`);
    }
  }
}

/**
 * A fresh directory on the memory file system for the suite's temporary
 * files, or undefined where TMPDIR is set already or there is no tmpfs with
 * room (the suite then uses the system's temporary directory).
 *
 * @param tell - told, in one line, what was done besides (a leftover swept, a removal that failed), and why the tmpfs could not be used where it should have been
 * @returns the directory, and how to remove it once the suite is done
 */
export function suiteTmpdir(tell) {
  if (process.env.TMPDIR !== undefined && process.env.TMPDIR !== '') return undefined;
  if (!isTmpfs(MEMORY_MOUNT) || !hasRoom(MEMORY_MOUNT, ROOM_NEEDED_BYTES)) return undefined;
  sweepLeftovers(tell);
  let dir;
  try {
    dir = mkdtempSync(join(MEMORY_MOUNT, `${PREFIX}${process.pid}-`));
    // As /tmp is: tests run commands as another user (nobody), who must reach their copies.
    chmodSync(dir, 0o1777);
  } catch (error) {
    tell(`temporary files in the system's temporary directory: ${MEMORY_MOUNT} refused a directory (${error.message})`);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    remove() {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      } catch (error) {
        tell(`could not remove ${dir} (${error.message}): the next npm test removes it`);
      }
    },
  };
}
