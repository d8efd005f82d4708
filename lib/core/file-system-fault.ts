import { userInfo } from 'node:os';
import { isCnfError, PermissionError, type CnfError } from './errors.js';

const PERMISSION_CODES: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'EROFS']);

function currentUser(): string {
  try {
    return userInfo().username;
  } catch (error) {
    // A uid without a passwd entry (containers): say its number.
    return `uid ${process.getuid?.() ?? 'unknown'} (${(error as Error).message})`;
  }
}

/**
 * A file system call the user may not make, as the error every command
 * ends with: 77, naming the path and what to do. Any other error comes back
 * as it is. The CLI applies it to whatever a command throws, so that no
 * command (`db`, `serve`, `init`, …) reports a permission as its own bug.
 *
 * @example
 * throw permissionFault(error); // "Permission denied: cannot open /app/.cnf/local/db.pid (EACCES)."
 */
function permissionFault(error: unknown): unknown {
  if (isCnfError(error) || typeof error !== 'object' || error === null) return error;
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
  return new PermissionError(`Permission denied: cannot ${action} ${path} (${code}).`, {
    hint: `Make it ${accessNeeded(action)} for ${currentUser()}, or run cnf-admin as the user that owns it.`,
    ...(cause === undefined ? {} : { cause }),
  });
}

export { deniedError, permissionFault };
