import { randomBytes } from 'node:crypto';
import { statSync, type Stats } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type * as z from 'zod/mini';
import { useSchemaMessages } from '../../core/schema-messages.js';
import { isCnfError, PermissionError, UnavailableError } from '../../core/errors.js';
import { readJsonFile } from '../../core/files/atomic-file.js';
import { unquotedJsonError } from '../../core/files/unquoted-json-error.js';
import { jsonFaultOffset } from './json-fault-offset.js';
import { errnoText } from '../../core/errno-text.js';
import { currentUser, immutableHint, PERMISSION_CODES, shapeFault } from '../../core/file-system-fault.js';
import { describeIssues } from '../../core/schema-issues.js';
import type { LocalPaths } from './local-paths.js';

/**
 * What to do about one damaged state file: that file alone, never the whole
 * `.cnf/local/`, which also holds the database, the parameter set and the ledger.
 */
const repairHint = (file: string): string =>
  `Restore it from a backup, or move just that file aside (mv ${file} ${file}.damaged) and run the command again; keep the rest of .cnf/local/ (the database, the parameter set and the ledger are there).`;

/** Options of {@link readStateFile}. */
interface StateFileOptions {
  /**
   * What to do when the file is damaged, where moving it aside would lose
   * what nothing else holds (the parameter set).
   *
   * @default restore it from a backup, or move just that file aside
   */
  readonly repair?: string;
  /** Whether the file holds secure values: a JSON error then names no piece of its text (see {@link unquotedJsonError}). */
  readonly holdsSecrets?: boolean;
}

/**
 * Reads one of the local stage's state files and checks it against its
 * schema, turning a corrupted file into a clear error that names it and says
 * how to recover, instead of a crash or a wrong answer.
 *
 * @param check - the file's schema, or a function that says what is wrong with the parsed value (undefined when nothing is)
 * @returns the parsed value, or undefined when the file does not exist
 * @throws UnavailableError (69) naming the file when it is not JSON or does not fit the schema;
 *   PermissionError (77) when it cannot be read.
 */
async function readStateFile<T>(
  file: string,
  check: z.ZodMiniType<T> | ((value: unknown) => string | undefined),
  options: StateFileOptions = {},
): Promise<T | undefined> {
  const hint = options.repair ?? repairHint(file);
  let value: unknown;
  try {
    value = await readJsonFile<unknown>(file);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw stateFault(error, file, 'read');
    const parseError = error.cause instanceof Error ? error.cause : undefined;
    if (options.holdsSecrets === true) {
      const text = await readFile(file, 'utf8').catch(() => '');
      throw corrupted(file, unquotedJsonError(text, parseError, jsonFaultOffset), hint);
    }
    throw corrupted(
      file,
      parseError === undefined ? error.message : `not valid JSON (${parseError.message.replace(/\s+/g, ' ').trim()})`,
      hint,
      error,
    );
  }
  if (value === undefined) return undefined;
  if (typeof check === 'function') {
    const problem = check(value);
    if (problem !== undefined) throw corrupted(file, problem, hint);
    return value as T;
  }
  useSchemaMessages();
  const parsed = check.safeParse(value);
  if (!parsed.success) throw corrupted(file, describeIssues(parsed.error), hint, parsed.error);
  return parsed.data;
}

function corrupted(file: string, problem: string, hint: string, cause?: unknown): UnavailableError {
  return new UnavailableError(`The local stage's state is corrupted: ${file}: ${problem}`, {
    hint,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * What a failed file system call on the local stage's state means for the
 * user: 77 when they may not write there (naming the path), 69 when the
 * state is in the way or broken (a file where a directory should be, a full
 * disk). Anything else is returned unchanged.
 *
 * @param path - the state the call was about, named in the message
 * @param action - what the call did, for the message
 * @param where - the path named as the one that failed (default: the path the error names, else `path`)
 */
function stateFault(error: unknown, path: string, action: 'read' | 'write' = 'write', where?: string): unknown {
  if (isCnfError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const words = errnoText(code);
  if (code === undefined || words === undefined) return error;
  const { path: failedPath, syscall, dest } = error as NodeJS.ErrnoException & { dest?: unknown };
  // An atomic write renames its temporary sibling over the file: the file is what refused (immutable, say), not the temporary, which is gone.
  const named = where ?? (syscall === 'rename' && typeof dest === 'string' ? dest : failedPath) ?? path;
  const text = `${words} (${code})`;
  if (code === 'EROFS') {
    return new PermissionError(`Cannot ${action} the local stage's state at ${named}: ${text}.`, {
      hint: `The project's .cnf/ is on a read-only file system: mount it read-write, or run cnf-admin on a writable copy of the project.`,
      cause: error,
    });
  }
  // Not permitted even to its owner: an attribute of the file, not its owner or mode.
  if (code === 'EPERM') {
    return new PermissionError(`Cannot ${action} the local stage's state at ${named}: ${text}.`, {
      hint: immutableHint(named),
      cause: error,
    });
  }
  if (PERMISSION_CODES.has(code)) {
    return new PermissionError(`Cannot ${action} the local stage's state at ${named}: ${text}.`, {
      hint: `Make ${path} ${action === 'read' ? 'readable' : 'writable'} for ${currentUser()} (e.g. chown -R ${currentUser()} .cnf), or run cnf-admin as the user that owns it.`,
      cause: error,
    });
  }
  // A file where a directory must be, or the other way round: named as every command names it.
  const shaped = shapeFault(error as NodeJS.ErrnoException);
  if (shaped !== undefined) return shaped;
  return new UnavailableError(`Cannot use the local stage's state at ${named}: ${text}.`, {
    hint: `Move what is in the way at ${named} aside, and run the command again.`,
    cause: error,
  });
}

function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a file';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isFIFO()) return 'a pipe';
  if (stats.isSocket()) return 'a socket';
  return 'something else';
}

/**
 * Checks that the local stage's state directories (`.cnf/`, `.cnf/local/`)
 * are directories where they exist, following symbolic links: a file there,
 * or a link to `/dev/null`, is the stage's state being unusable (69), said
 * once before anything reads or writes it.
 *
 * @throws UnavailableError naming the path and what is there instead.
 */
function assertStateDirectories(paths: LocalPaths): void {
  for (const dir of [dirname(paths.stageDir), paths.stageDir]) {
    let stats: Stats;
    try {
      stats = statSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // made on first use
      throw stateFault(error, dir);
    }
    if (!stats.isDirectory()) {
      throw new UnavailableError(`The local stage keeps its state in ${dir}, but that is ${kindOf(stats)}, not a directory.`, {
        hint: `Move ${dir} out of the way (or remove the link) so that cnf-admin can make the directory, then try again.`,
      });
    }
  }
}

/**
 * Makes sure the local stage's state can be written before a command
 * changes it or starts a run: the directory exists, and a file can be
 * created in it. The check writes for real, so it also sees what permission
 * bits do not show (a read-only mount, an immutable directory, root squash).
 *
 * @param also - more directories of the state the command writes to (a deploy: the releases), probed alike.
 * @throws PermissionError (77) naming the path the user cannot write; UnavailableError (69) when the state is in the way.
 */
async function assertStateWritable(paths: LocalPaths, also: readonly string[] = []): Promise<void> {
  assertStateDirectories(paths);
  try {
    await mkdir(paths.stageDir, { recursive: true });
  } catch (error) {
    throw stateFault(error, dirname(paths.stageDir));
  }
  // The directories a run writes to: one made by another user (a `sudo cnf-admin` once) is found here, not mid-run.
  for (const dir of [paths.stageDir, paths.logs, join(paths.ledger, 'runs'), join(paths.ledger, 'locks'), ...also]) {
    const probe = join(dir, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await writeFile(probe, '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // made on first use, in a directory just probed
      throw stateFault(error, dirname(paths.stageDir), 'write', dir);
    }
    await rm(probe, { force: true });
  }
}

/**
 * A copy of `record` without a prototype, so that a name a user typed
 * (`toString`, `constructor`, `__proto__`) finds only the record's own
 * entries, never a property every object inherits.
 */
function ownEntries<T>(record: Readonly<Record<string, T>>): Readonly<Record<string, T>> {
  const copy = Object.create(null) as Record<string, T>;
  for (const [key, value] of Object.entries(record))
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

export { assertStateDirectories, assertStateWritable, ownEntries, readStateFile, stateFault };
