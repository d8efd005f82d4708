import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { devNull } from 'node:os';
import type { Readable } from 'node:stream';
import { ExitCode } from '../../core/exit-codes.js';
import { TIMEOUT_ERROR } from '../../core/run-status.js';
import type { InvokeOptions, RunFrame } from '../../core/platform.js';
import type { AdminEvent, RunError, RunOwner, RunResult } from '../../core/run.js';
import { isRunStartedLine } from '../../core/run-log.js';
import { redactingTransform, SecretRedactor } from '../../runtime/redact-secrets.js';
import { currentProcessOwner } from '../../runtime/ledger/process-identity.js';
import { endRecordedNotice, recordRunEnd, takenByAnother } from './record-run-end.js';
import { adminEnvironment } from './lambda-environment.js';
import { mergedLines } from './merged-lines.js';
import { leftoverOutputRead } from './leftover-output.js';
import { runLogFile, type LocalPaths } from './local-paths.js';
import { cnfEnvironment } from '../../core/cnf-environment.js';
import { parseRunResult } from '../../core/run-result-schema.js';
import type { StandbyMessage } from './standby-message.js';
import { runnerArguments, takeStandbyRunner } from './standby-runner.js';
import { LOCAL_INTERRUPT_GRACE_MS } from './interrupt-grace.js';
import { writeLineAndWait, writesSettled } from '../../core/write-line.js';
import { writeFailureRemedy } from '../../core/write-failure-remedy.js';
import { errnoText } from '../../core/errno-text.js';

/** Everything a local run needs to know. */
interface LocalRun {
  readonly app: string;
  readonly paths: LocalPaths;
  readonly release: string;
  /** The release's bundle: the run's task root. */
  readonly bundleDir: string;
  /** The event, with its run id already made. */
  readonly event: AdminEvent & { readonly runId: string };
  /** The admin "function" timeout, as in Lambda. */
  readonly functionTimeoutSeconds: number;
  /** The task's own timeout, when shorter. */
  readonly taskTimeoutSeconds?: number;
  /** The stage's secure values: redacted once more from the process's output, whatever wrote it (Node's own crash report too). */
  readonly secrets: readonly string[];
  /**
   * The run id names a run that started already: the invoke is a repeat,
   * answered from its record (already ran, still in progress, other args),
   * and writes nothing to that run's log.
   */
  readonly repeat?: boolean;
}

/* After a task's timeout, the run gets this long to end on its own before it is killed (after an interrupt: LOCAL_INTERRUPT_GRACE_MS). */
const KILL_GRACE_MS = 5_000;

/**
 * Why the platform killed a run, if it did: its timeout passed, it did not
 * stop within the grace after an interrupt, a second interrupt forced it, or
 * the CLI could not go on with it (an error of its own, or its reader left).
 */
type KillReason = 'timeout' | 'interrupt-grace' | 'interrupt-forced' | 'abandoned';

/**
 * Runs an admin event against a local release in a Node process of its own
 * and yields its log lines as they are written, then its result.
 *
 * Every line is also appended to the run's log file (not a repeat's: see
 * {@link LocalRun.repeat}; nor those of a retry that raced another run of
 * its id, and found it going or ended). A run that passes its
 * timeout is killed (exit 124); an interrupt asks the task to stop, and kills
 * it after a grace period or on `options.force` (exit 130); a process that
 * dies without a result is a crash (exit 70). Whatever the end, the ledger
 * records it, and the result yielded is what the ledger says.
 *
 * Once the process has started, every way out ends it: should this
 * generator fail, or its reader stop before the result, the process is
 * killed and the run recorded as ended with exit 70, so that nothing is left
 * running and the CLI never waits on it.
 */
async function* runLocally(run: LocalRun, options: InvokeOptions = {}): AsyncGenerator<RunFrame> {
  await mkdir(run.paths.logs, { recursive: true });
  const logFile = runLogFile(run.paths, run.event.runId);
  // Interrupted already (while the database started, say): the run is told as it starts, and records that its task did not run.
  const interruptedFirst = options.signal?.aborted === true;
  const owner = currentProcessOwner();
  const env = { ...runEnvironment(run, logFile, owner), ...cnfEnvironment(interruptedFirst ? { interrupted: true } : {}) };
  // Whatever can fail before the process exists fails here, with nothing to end.
  const message: StandbyMessage = { env, cwd: run.bundleDir, event: run.event };
  const standbyInput = `${JSON.stringify(message)}\n`;
  const ownInput = JSON.stringify(run.event);
  const log = createWriteStream(run.repeat === true ? devNull : logFile, { flags: 'a' });
  // A log that cannot be written (a full disk) stops being written: the run goes on, and says so as it ends.
  log.on('error', () => undefined);
  const started = Date.now();
  // A runner that started while the CLI checked the stage (and may have loaded this release) is given its run; else one starts for it.
  const standby = takeStandbyRunner(run.bundleDir);
  const input = standby === undefined ? ownInput : standbyInput;
  const child =
    standby ??
    spawn(process.execPath, runnerArguments(), {
      cwd: run.bundleDir,
      env,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C reaches the CLI only, which asks the run to stop exactly once.
      detached: true,
    });
  const gone = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let startError: Error | undefined;
  child.once('error', (error) => {
    startError = error;
  });
  // Should the CLI exit by any path while the run goes on, the run goes with it.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let killedFor: KillReason | undefined;
  let interruptedAt: string | undefined;
  const kill = (reason: KillReason): void => {
    if (child.exitCode === null && child.signalCode === null) {
      killedFor ??= reason;
      child.kill('SIGKILL');
    }
  };
  const timers: NodeJS.Timeout[] = [setTimeout(() => kill('timeout'), killAfterMs(run))];
  const onInterrupt = (): void => {
    interruptedAt ??= new Date().toISOString();
    if (!interruptedFirst) child.kill('SIGINT');
    timers.push(setTimeout(() => kill('interrupt-grace'), LOCAL_INTERRUPT_GRACE_MS));
  };
  const onForce = (): void => {
    interruptedAt ??= new Date().toISOString();
    kill('interrupt-forced');
  };
  if (interruptedFirst) onInterrupt();
  else options.signal?.addEventListener('abort', onInterrupt, { once: true });
  if (options.force?.aborted === true) onForce();
  else options.force?.addEventListener('abort', onForce, { once: true });

  let ended = false;
  let failure: unknown;
  try {
    // A process that dies before reading its event breaks the pipe: its exit says why, not the pipe.
    child.stdin.once('error', (error: NodeJS.ErrnoException) => {
      startError ??= error;
    });
    child.stdin.end(input);
    let resultText = '';
    const resultChannel = child.stdio[3] as Readable;
    resultChannel.setEncoding('utf8');
    resultChannel.on('data', (chunk: string) => {
      resultText += chunk;
    });
    const redactor = new SecretRedactor(run.secrets);
    const redacted = redactor.active ? [child.stdout, child.stderr].map((stream) => stream.pipe(redactingTransform(redactor))) : undefined;
    const output = redacted ?? [child.stdout, child.stderr];
    // A process the task left behind may hold the pipes open after the run ended: its output is not the run's.
    const pipes = [child.stdout, child.stderr, resultChannel];
    void leftoverOutputRead(pipes, exited, closed).then(() => {
      for (const pipe of pipes) pipe.destroy();
      // What the redaction holds back is still the run's: it comes out as the stream ends.
      for (const stream of redacted ?? []) stream.end();
    });
    // A run that said it started had claimed its record in the ledger: its end is looked for there.
    let claimed = false;
    // Until then its lines wait: a retry that raced another run of its id, and was refused by it or found it
    // ended, writes nothing to that run's log (see below).
    const unclaimed: string[] = [];
    for await (const line of mergedLines(output)) {
      claimed ||= isRunStartedLine(line, run.event.runId);
      if (claimed) {
        for (const held of unclaimed.splice(0)) await writeLineAndWait(log, held);
        await writeLineAndWait(log, line);
      } else unclaimed.push(line);
      yield { type: 'log', line };
    }
    const { code, signal } = await exited;
    // A process that never claimed the run id (it died first, or refused the event) wrote the log of its own run,
    // unless the ledger's record of the id is another process's.
    if (unclaimed.length > 0 && !(await takenByAnother(run.paths, run.event.runId, owner)))
      for (const held of unclaimed) await writeLineAndWait(log, held);
    let result = parseResult(resultText);
    const unrecorded = result === undefined ? undefined : await endRecordedNotice(run.paths, result, claimed, owner);
    if (unrecorded !== undefined) yield { type: 'notice', message: unrecorded };
    if (result === undefined) {
      // Lambda too writes a line of its own when it ends a run: "Task timed out after ...".
      const how = { killedFor, interruptedAt, code, signal, startError };
      result = await recordUnfinished(run, started, how, owner);
      const line = JSON.stringify({
        level: 'ERROR',
        message: result.error?.message,
        timestamp: new Date().toISOString(),
        runId: run.event.runId,
        task: run.event.task,
        release: run.release,
      });
      await writeLineAndWait(log, line);
      yield { type: 'log', line };
    }
    // Lines still on their way to the file may yet fail (a full disk): the notice waits for them.
    await writesSettled(log);
    if (log.errored !== null) yield { type: 'notice', message: unwrittenLogNotice(logFile, log.errored) };
    ended = true;
    yield { type: 'result', result };
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    timers.forEach(clearTimeout);
    options.signal?.removeEventListener('abort', onInterrupt);
    options.force?.removeEventListener('abort', onForce);
    if (!ended) {
      kill('abandoned');
      // Its output is no longer read: let go of the pipes, so that nothing waits on them.
      for (const stream of child.stdio) stream?.destroy();
      await gone;
      await recordUnfinished(run, started, { killedFor: 'abandoned', interruptedAt, code: null, signal: null, failure }, owner);
    }
    process.off('exit', killOnExit);
    if (!log.destroyed) await new Promise((resolve) => log.end(resolve));
  }
}

/** When the platform kills a run that has not ended by itself. */
function killAfterMs(run: LocalRun): number {
  const waitMs = (run.event.waitLockSeconds ?? 0) * 1000;
  const functionMs = run.functionTimeoutSeconds * 1000;
  const taskMs = run.taskTimeoutSeconds === undefined ? functionMs : Math.min(functionMs, waitMs + run.taskTimeoutSeconds * 1000);
  return taskMs + KILL_GRACE_MS;
}

/** The run's timeout as a person set it: the task's own, or the function's. */
function timeoutSeconds(run: LocalRun): number {
  return run.taskTimeoutSeconds === undefined ? run.functionTimeoutSeconds : Math.min(run.functionTimeoutSeconds, run.taskTimeoutSeconds);
}

function runEnvironment(run: LocalRun, logFile: string, owner: RunOwner): NodeJS.ProcessEnv {
  return {
    ...adminEnvironment(run.app, run.paths, run.release, run.bundleDir, run.functionTimeoutSeconds),
    // This process owns the run: when it dies before the run records its end, readers record the run as lost.
    ...cnfEnvironment({ runLog: logFile, runOwner: JSON.stringify(owner) }),
  };
}

/** What the CLI says when the run's log could not be written, or not all of it. */
function unwrittenLogNotice(logFile: string, error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const why = errnoText(code) ?? error.message;
  const remedy = writeFailureRemedy(code);
  return `The run's log could not be written (${why}${code === undefined ? '' : `, ${code}`}): ${logFile} holds part of it at most; the output above is whole, and the run's result stands.${remedy === undefined ? '' : ` ${remedy} for the next runs' logs.`}`;
}

function parseResult(text: string): RunResult | undefined {
  if (text.trim() === '') return undefined;
  try {
    const parsed = parseRunResult(JSON.parse(text));
    return parsed.ok ? parsed.result : undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined; // a run killed while writing its result
    throw error;
  }
}

/** How a run that left no result ended, as the platform saw it. */
interface UnfinishedEnd {
  readonly killedFor: KillReason | undefined;
  /** ISO 8601: when the first interrupt reached the platform. */
  readonly interruptedAt: string | undefined;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why the process could not start, or could not be given its event. */
  readonly startError?: Error | undefined;
  /** What failed in the CLI while the run went on (when abandoned). */
  readonly failure?: unknown;
}

/**
 * The result of a run that ended without one (killed, or crashed), which is
 * also recorded in the ledger, since the run itself could not record its end.
 * When the run recorded its end after all (it ended just as it was killed),
 * the ledger's outcome is the result: the CLI never says other than the ledger.
 */
async function recordUnfinished(run: LocalRun, started: number, end: UnfinishedEnd, owner: RunOwner): Promise<RunResult> {
  const { exitCode, error } = unfinishedOutcome(run, end);
  const result: RunResult = {
    runId: run.event.runId,
    task: run.event.task,
    release: run.release,
    exitCode,
    durationMs: Date.now() - started,
    error,
    ...(end.interruptedAt === undefined ? {} : { interruptedAt: end.interruptedAt }),
  };
  return recordRunEnd(run.paths, result, owner);
}

function unfinishedOutcome(run: LocalRun, end: UnfinishedEnd): { exitCode: number; error: RunError } {
  switch (end.killedFor) {
    case 'timeout':
      return {
        exitCode: ExitCode.TIMEOUT,
        error: {
          name: TIMEOUT_ERROR,
          message: `The run passed its ${timeoutSeconds(run)}s timeout and did not end within ${KILL_GRACE_MS / 1000}s after it, so it was killed.`,
        },
      };
    case 'interrupt-grace':
      return {
        exitCode: ExitCode.INTERRUPTED,
        error: {
          name: 'InterruptedError',
          message: `The run was interrupted and did not stop within ${LOCAL_INTERRUPT_GRACE_MS / 1000}s, so it was killed.`,
        },
      };
    case 'interrupt-forced':
      return {
        exitCode: ExitCode.INTERRUPTED,
        error: {
          name: 'InterruptedError',
          message: 'The run was interrupted, and a second interrupt forced it to stop at once: it was killed.',
        },
      };
    case 'abandoned': {
      // Without a failure of its own, the reader of its frames stopped before the result: the CLI failed while showing it.
      const why =
        end.failure === undefined ? 'cnf-admin failed while showing it' : `cnf-admin failed while it ran (${describe(end.failure)})`;
      return { exitCode: ExitCode.SOFTWARE, error: { name: 'RunAbandonedError', message: `The run was killed: ${why}.` } };
    }
    case undefined: {
      if (end.signal === 'SIGINT' && end.interruptedAt !== undefined) {
        // Interrupted as it started, before it could listen for it: it ran nothing, and so recorded nothing.
        return {
          exitCode: ExitCode.INTERRUPTED,
          error: { name: 'InterruptedError', message: 'The run was interrupted as it started; its task did not run.' },
        };
      }
      const how = end.signal === null ? `exit code ${end.code}` : `signal ${end.signal}`;
      const cause = end.startError === undefined ? '' : ` (${describe(end.startError)})`;
      return {
        exitCode: ExitCode.SOFTWARE,
        error: { name: 'RunCrashedError', message: `The run ended without a result (${how})${cause}; its last log lines say why.` },
      };
    }
  }
}

/** An error in one line: `RangeError: Maximum call stack size exceeded`. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export { runLocally };
export type { LocalRun };
