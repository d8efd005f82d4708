import { ExitCode } from './exit-codes.js';

/** How every error line cnf-admin prints begins: the CLI's own, commander's, a refused run's, a CDK app's. */
const ERROR_PREFIX = 'cnf-admin:';

/** Who is at fault for an error: it decides whether a stack trace helps. */
type Fault = 'user' | 'tool';

/** Options of every {@link CnfError}. */
interface CnfErrorOptions extends ErrorOptions {
  /** What the user can do next; printed on its own line under the message. */
  readonly hint?: string;
}

/*
 * The brand every CnfError carries. Symbol.for gives one symbol per process,
 * so an error made by another copy of this module (the CLI bundle and the
 * library are two) is still known for what it is, where instanceof fails.
 */
const CNF_ERROR = Symbol.for('cnf-admin.error');

/**
 * The root of every error cnf-admin raises on purpose.
 *
 * It carries the exit code the CLI ends with and whether the user or the tool
 * is at fault. Only the top-level `cli()` turns it into output: a user error
 * prints one line and a hint, never a stack trace.
 */
class CnfError extends Error {
  /** The exit code the CLI ends with. */
  readonly exitCode: number;
  /** Whether the user's input or the tool (or the platform) is at fault. */
  readonly fault: Fault;
  /** What to do next, if there is something useful to say. */
  readonly hint: string | undefined;
  /** The brand {@link isCnfError} looks for. */
  readonly [CNF_ERROR] = true;

  constructor(message: string, exitCode: number, fault: Fault, options: CnfErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.fault = fault;
    this.hint = options.hint;
  }
}

/**
 * Whether `value` is a {@link CnfError}, made by this copy of cnf-admin or
 * by another one (the CLI bundle, the library, a test's import).
 *
 * @example
 * if (isCnfError(error)) return error.exitCode;
 */
function isCnfError(value: unknown): value is CnfError {
  return typeof value === 'object' && value !== null && (value as { [CNF_ERROR]?: unknown })[CNF_ERROR] === true;
}

/** Bad input: an unknown task, args that fail the schema, a bad flag. Nothing ran. */
class UsageError extends CnfError {
  constructor(message: string, options?: CnfErrorOptions) {
    super(message, ExitCode.USAGE, 'user', options);
  }
}

/** The application's bundle did not build: a compile error, or a task module that fails to load. */
class BuildError extends CnfError {
  constructor(message: string, options?: CnfErrorOptions) {
    super(message, ExitCode.BUILD_FAILED, 'user', options);
  }
}

/**
 * A build that did not finish because one of its processes (esbuild's
 * service, the loader of the task catalog) was ended by a signal: a Ctrl-C
 * stops them along with the CLI, which then reports the interrupt instead.
 */
class BuildStoppedError extends BuildError {}

/** The stage, its functions, aliases or state cannot be reached or read. */
class UnavailableError extends CnfError {
  constructor(message: string, options?: CnfErrorOptions) {
    super(message, ExitCode.UNAVAILABLE, 'user', options);
  }
}

/** Try again later: a lock is held, or the platform throttled the request. */
class TryAgainError extends CnfError {
  constructor(message: string, options?: CnfErrorOptions) {
    super(message, ExitCode.TEMP_FAIL, 'user', options);
  }
}

/** The caller lacks a permission; the message names the missing action. */
class PermissionError extends CnfError {
  constructor(message: string, options?: CnfErrorOptions) {
    super(message, ExitCode.NO_PERMISSION, 'user', options);
  }
}

/** The web and admin aliases point at different releases. */
class ReleaseMismatchError extends CnfError {
  /**
   * The releases web and admin serve, where the mismatch is between the two
   * aliases of a pair (a deploy or rollback that moved one alias and not the
   * other); undefined for a version Lambda ran that the plan did not name.
   */
  readonly pair: { readonly web: string; readonly admin: string } | undefined;

  constructor(message: string, options: CnfErrorOptions & { readonly pair?: { readonly web: string; readonly admin: string } } = {}) {
    super(message, ExitCode.RELEASE_MISMATCH, 'user', options);
    this.pair = options.pair;
  }
}

/**
 * A copy of `error` that says `message` instead: its class kept (the name
 * `--json` prints and the ledger records, and `instanceof`), its exit code
 * and fault too, and its hint unless `options.hint` replaces it (`null`:
 * none). The cause is `options.cause` alone: a copy made to leave something
 * of the original out (a secret) must not carry it along.
 *
 * @example
 * throw retold(error, `${error.message} Nothing moved.`, { cause: error });
 */
function retold(error: CnfError, message: string, options: { readonly hint?: string | null; readonly cause?: unknown } = {}): CnfError {
  const hint = options.hint === null ? undefined : (options.hint ?? error.hint);
  const copy = new CnfError(message, error.exitCode, error.fault, {
    ...(hint === undefined ? {} : { hint }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
  Object.setPrototypeOf(copy, Object.getPrototypeOf(error) as object);
  copy.name = error.name;
  return copy;
}

/**
 * {@link retold} with `more` said after the error's own message, that
 * message's last sentence ended first: AWS's words often end without a full
 * stop ("… failed to satisfy constraint"), and `more` is a sentence of its own.
 *
 * @example
 * throw toldMore(error, 'Nothing moved.', { cause: error });
 */
function toldMore(error: CnfError, more: string, options: { readonly hint?: string | null; readonly cause?: unknown } = {}): CnfError {
  return retold(error, `${sentenceEnded(error.message)} ${more}`, options);
}

/**
 * `message` without trailing white space, ending a sentence: as it is where
 * it ends in `.`, `!` or `?` (a closing bracket or quote after one allowed),
 * else with a `.` added (in place of a trailing `,`, `;` or `:`).
 */
function sentenceEnded(message: string): string {
  const trimmed = message.replace(/\s+$/, '');
  if (trimmed === '' || /[.!?]['"’”)\]}»]*$/.test(trimmed)) return trimmed;
  return `${trimmed.replace(/[,;:]+$/, '')}.`;
}

/**
 * `message` without the full stop (or stops) it ends with, and the white
 * space after: for a message quoted inside a sentence of the tool's own, in
 * parentheses, which ends the sentence itself (`(… is invalid).`, not `.).`).
 */
function withoutFullStop(message: string): string {
  return message.replace(/\.+\s*$/, '');
}

export {
  BuildError,
  BuildStoppedError,
  CnfError,
  ERROR_PREFIX,
  isCnfError,
  PermissionError,
  ReleaseMismatchError,
  retold,
  sentenceEnded,
  toldMore,
  TryAgainError,
  UnavailableError,
  UsageError,
  withoutFullStop,
};
export type { CnfErrorOptions, Fault };
