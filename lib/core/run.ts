import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ArgsProblem } from './check-args.js';
import type { ContainerStarted } from './container-run.js';
import { ExitCode } from './exit-codes.js';
import { isRefusalName, type RefusalName } from './refusal.js';
import { isOwnerGone } from './run-owner-liveness.js';
import { LOST_RUN_ERROR } from './run-status.js';

/**
 * Where a run was started from.
 *
 * @example
 * const source: RunSource = 'schedule'; // one of 'cli', 'schedule', 'console', 'release-phase', 'ui' (the `cnf-admin ui` page)
 */
type RunSource = 'cli' | 'schedule' | 'console' | 'release-phase' | 'ui';

/** Every valid {@link RunSource}, for validation and help texts. */
const RUN_SOURCES: readonly RunSource[] = ['cli', 'schedule', 'console', 'release-phase', 'ui'];

/**
 * What the admin function accepts.
 *
 * Only `task` is required, so a Lambda console test event may be as short as
 * `{"task": "migrate"}`; the handler fills in a run id and marks the source.
 *
 * @example
 * // A Lambda console test event, or what `cnf-admin invoke notes:purge -- --older-than-days 30` sends:
 * const event: AdminEvent = { task: 'notes:purge', args: { olderThanDays: 30 }, runId: '20261124-143927-k3f9qz', source: 'cli' };
 */
interface AdminEvent {
  /** The task to run, e.g. `migrate` or the reserved `cnf:describe`. */
  readonly task: string;
  /** The task's arguments, validated against its schema before it runs. */
  readonly args?: Readonly<Record<string, unknown>>;
  /**
   * Task args as command-line flags (`["--older-than-days", "30"]`), read
   * with the task's own schema and laid over `args`: the CLI sends what the
   * user typed after `--` without needing the task catalog first.
   */
  readonly argv?: readonly string[];
  /** Made by the caller so that a retry is recognised; made by the handler when absent. */
  readonly runId?: string;
  /** Where the run was started from. @default 'console' */
  readonly source?: RunSource;
  /** Who started the run (an IAM ARN, an OS user, a schedule name). */
  readonly caller?: string;
  /**
   * When the task is locked by another run, wait up to this many seconds for
   * the lock instead of ending at once with exit code 75.
   *
   * @default 0
   */
  readonly waitLockSeconds?: number;
  /**
   * Answer with the run's log lines as they are written, then its result, as
   * NDJSON frames (`lib/core/run-frames.ts`): what `InvokeWithResponseStream`
   * shows live. Without it the answer is the run result alone, so that a
   * console test, a schedule or the release phase gets a plain JSON object.
   *
   * @default false
   */
  readonly stream?: boolean;
  /**
   * The release the caller planned to run. When the function serves another
   * one, nothing runs and the result has exit code 78.
   *
   * @default - any release
   */
  readonly release?: string;
  /**
   * The config version the run reads (7 for v7): the CLI sends the one its
   * plan chose (the live pair's, or a retained release's pinned one).
   *
   * @default - the stage's live config version
   */
  readonly configVersion?: number;
}

/**
 * A thrown error as the run result carries it: name and message, no stack.
 *
 * @example
 * const error: RunError = { name: 'TypeError', message: "Cannot read properties of undefined (reading 'id')" };
 */
interface RunError {
  /** The error's class name, e.g. `TypeError`, or a refusal's such as `LockHeld`. */
  readonly name: string;
  /** The error's message. */
  readonly message: string;
  /**
   * On an `InvalidArgs` refusal of a flag the task does not take, that flag
   * as given (`--json`), for the CLI to say more of it than the message.
   *
   * @default - absent: the refusal is of no one flag, or is no refusal of args
   */
  readonly unknownArg?: string;
  /**
   * On an `InvalidArgs` refusal of args that fail the task's schema, the
   * top-level keys its message names by their JSON path, each with its
   * problem, for a form to mark.
   *
   * @default - absent: the refusal names no such key, or is no refusal of args
   */
  readonly fields?: readonly ArgsProblem[];
}

/**
 * What the admin function returns, and what `invoke --json` prints.
 *
 * @example
 * const result: RunResult = await handler({ task: 'migrate' });
 * if (result.exitCode !== 0) console.error(`${result.task} failed: ${result.error?.message ?? `exit ${result.exitCode}`}`);
 */
interface RunResult {
  /** The run's id, e.g. `20261124-143927-k3f9qz`. */
  readonly runId: string;
  /** The task the event named, e.g. `migrate`. */
  readonly task: string;
  /** The release of the function that handled the event. */
  readonly release: string;
  /** The task's own exit code (0..63), or one of the reserved codes (64, 75, 124). */
  readonly exitCode: number;
  /** How long the run took, in milliseconds. */
  readonly durationMs: number;
  /** The task's return value, when it returned one. */
  readonly output?: unknown;
  /** Why the run failed: the error the task threw, or the refusal that kept it from running. */
  readonly error?: RunError;
  /**
   * ISO 8601: when an interrupt (Ctrl-C, SIGTERM, SIGHUP at the terminal)
   * reached the run; absent when none did. The exit code still says how the
   * run ended: 130 when it stopped because of the interrupt, the task's own
   * when the task returned anyway.
   */
  readonly interruptedAt?: string;
  /**
   * Set when the event named a container task: the admin function claimed the
   * run and started it as this ECS task, where it goes on (the exit code, 0,
   * says the start succeeded; the run's own comes from the task).
   */
  readonly container?: ContainerStarted;
  /**
   * The config version the run read: a release is its code and its config.
   * Absent where the stage keeps no versions, or the run read no config (a
   * refusal before it did).
   */
  readonly configVersion?: number;
}

/**
 * One entry of the run ledger; one element of `runs --json`.
 *
 * @example
 * const [last] = await ledger.list({ task: 'migrate', limit: 1 });
 * const record: RunRecord | undefined = last;
 * console.log(record?.endedAt === undefined ? 'in progress' : `exit ${record.exitCode}`);
 */
interface RunRecord {
  /** The run's id, e.g. `20261124-143927-k3f9qz`. */
  readonly runId: string;
  /** The task that ran, e.g. `migrate`. */
  readonly task: string;
  /**
   * The args as the task's schema parsed them (defaults applied), whether
   * they came as JSON or as flags, with secret-looking values redacted.
   */
  readonly args: Readonly<Record<string, unknown>>;
  /**
   * A hash of the args as given, before redaction (see `argsHash`): a reused
   * run id with other args is refused even where the recorded args read the same.
   */
  readonly argsHash?: string;
  /** The release the run ran on. */
  readonly release: string;
  /** Where the run was started from. */
  readonly source: RunSource;
  /** Who started the run (an IAM ARN, an OS user, a schedule name). */
  readonly caller: string;
  /** ISO 8601. */
  readonly startedAt: string;
  /** ISO 8601; absent while the run is in progress. */
  readonly endedAt?: string;
  /** The run's exit code (see {@link RunResult.exitCode}); absent while the run is in progress. */
  readonly exitCode?: number;
  /** How long the run took, in milliseconds; absent until the run records its end. */
  readonly durationMs?: number;
  /** The fingerprint of the parameter set the run used. */
  readonly configFingerprint?: string;
  /** The config version the run used (7 for v7), where the stage keeps config versions. */
  readonly configVersion?: number;
  /** Where the run's log is: a file path locally, a log group and stream on AWS. */
  readonly log: string;
  /**
   * ISO 8601: when the function running it had surely ended. A record still
   * without an end past this time belongs to a run that was lost (its process
   * died, or Lambda stopped it) before it could record its end.
   */
  readonly deadline?: string;
  /** The error's name and message, when the task threw. */
  readonly error?: RunError;
  /** ISO 8601: when an interrupt reached the run, if one did (see {@link RunResult.interruptedAt}). */
  readonly interruptedAt?: string;
  /**
   * The task's return value, redacted, as JSON data; when its JSON is longer
   * than 64 KiB, a string: the start of that JSON
   * and a marker that says how long it was. Absent when the task returned
   * nothing.
   */
  readonly result?: unknown;
  /**
   * The local process that runs the run (local stage only): when it is gone
   * and the record has no end, the run was lost, and readers record it so
   * at once instead of waiting for its deadline.
   */
  readonly owner?: RunOwner;
  /** The ARN of the ECS task of a container run, as the admin function started it. */
  readonly ecsTask?: string;
  /**
   * ISO 8601: when the container task the admin function started took the
   * run over, before its task ran. A start whose answer ECS did not give
   * (a 5xx, a timeout) is recorded as refused only on a record without it,
   * so that a run going on in its task never reads as not started.
   */
  readonly containerStartedAt?: string;
  /**
   * The run ended before anything of it started: its task's lock was held
   * by another run, it was interrupted before its task started, or ECS
   * refused to start its container task (no capacity, throttled, denied). A retry of its run id with the same task
   * and args takes the record over and starts it.
   */
  readonly notStarted?: boolean;
  /** The RunTask client token of a container run's start, where it is not the run id (a start retried after ECS refused it). */
  readonly clientToken?: string;
  /**
   * ISO 8601: when `cnf-admin stop` asked the admin function to stop this
   * container run, written before its StopTask. The run's container reads it
   * when it gets SIGTERM: a stop asked so is an interrupt (130); without it,
   * ECS stopped the task (a Fargate Spot reclaim, maintenance): 70.
   */
  readonly stopRequestedAt?: string;
  /** Who asked for the stop of {@link RunRecord.stopRequestedAt} (the caller `cnf-admin stop` sent). */
  readonly stopRequestedBy?: string;
}

/**
 * The process that owns a run, named so that a reused pid is not mistaken
 * for it: its pid, the time it started (as the system tells it, an opaque
 * text), and its host; and the run's own process, when it is another.
 *
 * @example
 * const owner: RunOwner = { pid: 4242, startTime: '1234567', host: 'laptop' };
 */
interface RunOwner {
  /** Its process id. */
  readonly pid: number;
  /** When it started, as the system says (Linux: clock ticks since boot); compared, never parsed. */
  readonly startTime: string;
  /** The host it runs on: elsewhere it cannot be checked. */
  readonly host: string;
  /**
   * The process of the run itself, which the owner started (on the local
   * stage, the Node process that runs the task): while it lives, the run
   * goes on, and records its own end, even when its owner died.
   */
  readonly runner?: { readonly pid: number; readonly startTime: string };
}

/**
 * The longest result, as JSON text in UTF-8 bytes, that the ledger keeps
 * whole (64 KiB): a DynamoDB item holds at most 400 KB, and a ledger is no
 * data store. A longer one is kept as its first 64 KiB and a marker.
 */
const STORED_RESULT_MAX_BYTES = 64 * 1024;

/**
 * A task's result as the ledger keeps it: the value itself when its JSON
 * fits in {@link STORED_RESULT_MAX_BYTES}; otherwise a string, the start of
 * its JSON and ` … [truncated: <n> bytes in all]`.
 *
 * @example
 * storedResult({ migrated: 3 }); // { migrated: 3 }
 */
function storedResult(value: unknown): unknown {
  const json = JSON.stringify(value);
  if (json === undefined) return undefined;
  const bytes = Buffer.byteLength(json);
  if (bytes <= STORED_RESULT_MAX_BYTES) return value;
  // Cut at a character boundary: decoding the cut bytes drops a split character's rest.
  const head = Buffer.from(json)
    .subarray(0, STORED_RESULT_MAX_BYTES)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${head} … [truncated: ${bytes} bytes in all]`;
}

/* Clocks differ a little, and a run's last write takes a moment: grace before calling a run lost. */
const LOST_RUN_GRACE_MS = 60_000;

/**
 * A record as readers should see it: a run still without an end well past
 * its deadline was lost, and reads as ended with exit 70 (EX_SOFTWARE), so
 * that neither a retry of its run id nor `logs --follow` waits for it forever.
 *
 * A run whose processes are there still on this host is not settled by the
 * clock: a machine that slept, or whose clock jumped, past the deadline of a
 * run that goes on has not lost it. (The local ledger reads a run whose
 * processes are gone as lost at once, deadline or not.)
 */
function settledRecord(record: RunRecord, now: Date = new Date()): RunRecord {
  if (record.endedAt !== undefined || record.deadline === undefined || ownerLivesHere(record.owner)) return record;
  if (now.getTime() <= Date.parse(record.deadline) + LOST_RUN_GRACE_MS) return record;
  return {
    ...record,
    endedAt: record.deadline,
    exitCode: ExitCode.SOFTWARE,
    error: {
      name: LOST_RUN_ERROR,
      message:
        'The run never recorded its end: its process died, or the function was stopped (timeout, out of memory), first. Its log shows how far it got.',
    },
  };
}

/**
 * When a record {@link settledRecord} reads as lost should its end never be
 * recorded, in ISO 8601: its deadline and the grace after it. Undefined for
 * a record without a deadline, which the clock never settles.
 */
function lostFrom(record: RunRecord): string | undefined {
  return record.deadline === undefined ? undefined : new Date(Date.parse(record.deadline) + LOST_RUN_GRACE_MS).toISOString();
}

/**
 * Whether `owner` ran on this host, its start times are known, and one of
 * its processes (it, or the run it started) is there still
 * ({@link isOwnerGone}). Only then does the clock not settle the run: a
 * record of a process that is gone (a rollback on AWS whose CLI was killed,
 * whose ledger probes no owner) is lost once its deadline has passed, as
 * from any other host.
 */
function ownerLivesHere(owner: RunOwner | undefined): boolean {
  if (owner === undefined || owner.host !== hostname() || owner.startTime === 'unknown' || owner.runner?.startTime === 'unknown')
    return false;
  return !isOwnerGone(owner);
}

/** Whether a result says the admin function refused the event and nothing of its task ran. */
function isRefusal(result: RunResult): boolean {
  return result.exitCode !== 0 && isRefusalName(result.error?.name);
}

/*
 * Refusals that name a run the ledger holds: another run's id, still going or
 * used for other work, or a run recorded as refused because its task's lock
 * was held.
 */
const REFUSALS_OF_RECORDED_RUNS: ReadonlySet<string> = new Set(['RunInProgress', 'RunIdConflict', 'LockHeld'] satisfies RefusalName[]);

/**
 * Whether a refusal's run id names a run that the ledger holds (so that
 * `runs show` finds it). Other refusals ran nothing and recorded nothing:
 * their run id names no run.
 */
function refusalNamesRecordedRun(result: RunResult): boolean {
  return REFUSALS_OF_RECORDED_RUNS.has(result.error?.name ?? '');
}

/** The result of a run as its ledger record tells it. */
function resultOfRecord(record: RunRecord): RunResult {
  return {
    runId: record.runId,
    task: record.task,
    release: record.release,
    exitCode: record.exitCode ?? ExitCode.SOFTWARE,
    durationMs: record.durationMs ?? (record.endedAt === undefined ? 0 : Date.parse(record.endedAt) - Date.parse(record.startedAt)),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.interruptedAt === undefined ? {} : { interruptedAt: record.interruptedAt }),
    ...(record.result === undefined ? {} : { output: record.result }),
    ...(record.configVersion === undefined ? {} : { configVersion: record.configVersion }),
  };
}

const RUN_ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Makes a new run id: UTC time to the second, then six random characters.
 *
 * Ids sort by start time and are short enough to type into `cnf-admin logs`.
 *
 * @example
 * newRunId(new Date('2026-11-24T14:39:27Z')); // '20261124-143927-k3f9qz'
 */
function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15).replace('T', '-');
  const random = [...randomBytes(6)].map((byte) => RUN_ID_ALPHABET[byte % 32]).join('');
  return `${stamp}-${random}`;
}

const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Whether `value` can serve as a run id: 1..128 characters of letters,
 * digits, `.`, `_` and `-`, so that it is safe in file names and log filters.
 */
function isValidRunId(value: unknown): value is string {
  return typeof value === 'string' && RUN_ID_PATTERN.test(value);
}

export {
  isRefusal,
  isValidRunId,
  lostFrom,
  newRunId,
  refusalNamesRecordedRun,
  resultOfRecord,
  RUN_SOURCES,
  settledRecord,
  STORED_RESULT_MAX_BYTES,
  storedResult,
};
export type { AdminEvent, RunError, RunOwner, RunRecord, RunResult, RunSource };
