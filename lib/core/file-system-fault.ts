import { statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, sep } from 'node:path';
import { isCnfError, PermissionError, UnavailableError, type CnfError } from './errors.js';

/** The codes of a file system call refused: to this user (EACCES), to anyone (EPERM: an immutable file), or on a read-only file system (EROFS). */
const PERMISSION_CODES: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'EROFS']);

/** What a refusal to anyone (EPERM) of `path` asks for: an attribute of the file, which no chown or chmod changes. */
function immutableHint(path: string): string {
  return `The file system refuses it whoever asks: ${path} may be immutable or append-only (see lsattr; chattr -i or -a clears it), or on a file system that does not allow it.`;
}

/** Who this process runs as, for a hint: the user's name, or the uid where it has none (containers). */
function currentUser(): string {
  try {
    return userInfo().username;
  } catch (error) {
    // A uid without a passwd entry (containers): say its number.
    return `uid ${process.getuid?.() ?? 'unknown'} (${(error as Error).message})`;
  }
}

/**
 * A failed file system call as the error every command ends with: a call
 * the user may not make is 77, naming the path and what to do; state under
 * `.cnf/` that is not the shape it must be (a file where a directory must
 * be, or the other way round) is 69, naming what is in the way and how to
 * move it aside; a full disk (or quota) is 69, saying to free space. Any
 * other error comes back as it is. The CLI applies it to whatever a command
 * throws, so that no command (`runs`, `db`, `deploy`, `serve`, `init`, …)
 * reports a permission, damaged state or a full disk as its own bug.
 *
 * @example
 * throw fileSystemFault(error); // "Permission denied: cannot open /app/.cnf/local/db.pid (EACCES)."
 */
function fileSystemFault(error: unknown): unknown {
  if (isCnfError(error) || typeof error !== 'object' || error === null) return error;
  const failed = error as NodeJS.ErrnoException;
  return shapeFault(failed) ?? spaceFault(failed) ?? permissionFault(failed);
}

/** What a call refused for want of space says is full. */
const SPACE_CODES: Readonly<Record<string, string>> = {
  ENOSPC: 'No space left on the device',
  EDQUOT: 'Disk quota exceeded',
};

/**
 * The 69 for a call the disk had no room for (ENOSPC, EDQUOT), naming the
 * path when the call did (a write to an open file names none); undefined
 * for any other error.
 */
function spaceFault(error: NodeJS.ErrnoException): UnavailableError | undefined {
  const { code, path, syscall } = error;
  if (code === undefined || !Object.hasOwn(SPACE_CODES, code)) return undefined;
  const what = typeof path === 'string' ? `cannot ${syscall ?? 'write'} ${path}` : `a ${syscall ?? 'write'} failed`;
  return new UnavailableError(`${SPACE_CODES[code]}: ${what} (${code}).`, {
    // A write to an open file names no path: its disk may be the project's, or the one its output was sent to (> file).
    hint: `Free some space on ${typeof path === 'string' ? 'the disk that holds it' : "the disk it was writing to (the project's .cnf/, or where its output was sent)"} (df -h shows how full each disk is), and run the command again.`,
    cause: error,
  });
}

function permissionFault(error: NodeJS.ErrnoException): unknown {
  const { code, path, syscall, dest } = error as NodeJS.ErrnoException & { dest?: unknown };
  if (code === undefined || !PERMISSION_CODES.has(code) || typeof path !== 'string') return error;
  // An atomic write renames its temporary file onto the file: the file is what the user must make writable.
  if (syscall === 'rename' && typeof dest === 'string') return deniedError(dest, 'replace', code, error);
  return deniedError(path, syscall ?? 'write', code, error);
}

/** What a denied call needs of its path: a read needs it readable, a write writable, an open (either) both. */
function accessNeeded(action: string): string {
  if (['read', 'scandir', 'stat', 'lstat', 'readlink', 'access'].includes(action)) return 'readable';
  return action === 'open' ? 'readable and writable' : 'writable';
}

/**
 * The 77 for a path the user may not write (or read).
 *
 * @param action - the call that was refused, or is known to be: `write`, `open`, `mkdir`
 */
function deniedError(path: string, action: string, code: string, cause?: unknown): CnfError {
  // A read-only file system refuses everyone alike: no owner or mode makes it writable.
  if (code === 'EROFS')
    return new PermissionError(`Cannot ${action} ${path}: it is on a read-only file system (EROFS).`, {
      hint: 'Remount that file system read-write, or keep the project (its .cnf/) on one that is.',
      ...(cause === undefined ? {} : { cause }),
    });
  // Not permitted even to its owner (root included): an attribute of the file, which no chown or chmod changes.
  if (code === 'EPERM')
    return new PermissionError(`Cannot ${action} ${path}: operation not permitted (EPERM).`, {
      hint: immutableHint(path),
      ...(cause === undefined ? {} : { cause }),
    });
  return new PermissionError(`Permission denied: cannot ${action} ${path} (${code}).`, {
    hint: `Make it ${accessNeeded(action)} for ${currentUser()}, or run cnf-admin as the user that owns it.`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The codes of a path that is not the shape the state must have, and what each says is wrong. */
const SHAPE_CODES: Readonly<Record<string, string>> = {
  ENOTDIR: 'where a directory must be',
  EISDIR: 'a directory, where a file must be',
  ELOOP: 'a loop of symbolic links',
};

/**
 * The 69 for state under `.cnf/` that is not the shape it must be (a file
 * where a directory must be, a directory where a file must be), naming what
 * is in the way and how to move it aside; undefined for any other error.
 */
function shapeFault(error: NodeJS.ErrnoException): UnavailableError | undefined {
  const { code, path, syscall } = error;
  if (code === undefined || typeof path !== 'string' || !path.split(sep).includes('.cnf')) return undefined;
  // mkdir of a directory a file stands in for: that file is in the way (of a directory there, the caller must know).
  const inTheWay = code === 'EEXIST' && syscall === 'mkdir' && statOrUndefined(path)?.isDirectory() === false;
  const kind = inTheWay ? 'ENOTDIR' : code;
  if (!Object.hasOwn(SHAPE_CODES, kind)) return undefined;
  const culprit = kind === 'ENOTDIR' ? notADirectory(path) : path;
  const what = kind === 'ENOTDIR' ? `${kindAt(culprit)}, ${SHAPE_CODES[kind]}` : SHAPE_CODES[kind];
  return new UnavailableError(`cnf-admin's state under .cnf/ is damaged: ${culprit} is ${what} (${code}).`, {
    hint: `Move it aside (mv ${culprit} ${culprit}.damaged) and run the command again; leave the rest of .cnf/ as it is (the database, the parameter set and the run ledger are there).`,
    cause: error,
  });
}

/**
 * The part of `path` that is there but is no directory, which made a call
 * on `path` fail with ENOTDIR: `path` itself (a scandir), or one of its
 * parents up to `.cnf` (an open of a file in it).
 */
function notADirectory(path: string): string {
  for (let at = path; ; at = dirname(at)) {
    const stats = statOrUndefined(at);
    if (stats !== undefined && !stats.isDirectory()) return at;
    if (basename(at) === '.cnf' || dirname(at) === at) return path;
  }
}

/**
 * What is at `path`, or undefined where nothing is, a part on the way is no
 * directory, or it cannot be looked at: the fault being reported is the
 * error, and a path that cannot be examined is named as the call named it.
 */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function kindAt(path: string): string {
  const stats = statOrUndefined(path);
  if (stats === undefined || stats.isFile()) return 'a file';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'no directory';
}

export { currentUser, deniedError, fileSystemFault, immutableHint, PERMISSION_CODES, shapeFault };
