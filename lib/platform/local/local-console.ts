import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { CnfError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { ConsoleCompletion, ConsoleEvaluateOptions, ConsoleSession, RunFrame } from '../../core/platform.js';
import { parseRunResult } from '../../core/run-result-schema.js';
import { newRunId, type AdminEvent, type RunResult } from '../../core/run.js';
import { CONSOLE_TASK } from '../../core/task-catalog.js';
import { adminEnvironment } from './lambda-environment.js';
import { runLogFile, type LocalPaths } from './local-paths.js';
import { redactingTransform, SecretRedactor } from '../../runtime/redact-secrets.js';
import { mergedLines } from './merged-lines.js';
import { recordRunEnd } from './record-run-end.js';
import { runnerArguments } from './standby-runner.js';
import { sessionMarker, sessionToken } from './session-marker.js';

/** What a local console session runs against. */
interface LocalConsoleTarget {
  readonly app: string;
  readonly paths: LocalPaths;
  readonly release: string;
  readonly bundleDir: string;
  readonly caller: string;
  readonly functionTimeoutSeconds: number;
  /** The config version every evaluation reads (a retained release's pinned one), when the stage's parameter set has versions. */
  readonly configVersion?: number;
  /** The stage's secure values when the session opened: redacted once more from the process's output. */
  readonly secrets: readonly string[];
}

/**
 * After an interrupt, an evaluation gets this long to end by itself (its
 * `signal` fired); then its process is killed, which is the only way to stop
 * synchronous code such as `while (true) {}`.
 */
const CONSOLE_GRACE_MS = 3_000;

/** Why the session killed its process, if it did. */
type KillReason = 'interrupt' | 'timeout';

/** The one Node process that holds a session's scope, and the reader of its output. */
interface SessionProcess {
  /** The session's id in its process: a new one (`.clear`) opens a fresh scope there. */
  id: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: AsyncIterator<string>;
  /** The results of its evaluations, one JSON line each (file descriptor 3). */
  readonly results: AsyncIterator<string>;
  readonly exited: Promise<void>;
  ended: boolean;
  /** The names the session's inputs declared, as of the last evaluation: what a kill loses. */
  declared: readonly string[];
  /** Whether the user was told that this process ended, and what went with it. */
  reported: boolean;
}

/**
 * A console session on the local stage: one long-lived Node process that
 * loads the release's admin entry once, so that everything an input declares
 * (functions, database handles, class instances) stays for the next. Each
 * input is still a run of its own: a run id, a ledger record, a log file.
 *
 * An interrupted evaluation is asked to stop (SIGINT to the process, which
 * fires the evaluation's `signal`); one that has not ended
 * {@link CONSOLE_GRACE_MS} later, or at a second interrupt, is killed with
 * its process, recorded as interrupted (130), and the next input starts a
 * fresh process: the session's variables are lost, and the session says so.
 */
class LocalConsoleSession implements ConsoleSession {
  /** Marks the end of each answer in the process's output; no task output will contain it by chance, nor a secure value. */
  readonly #token: string;
  #process: SessionProcess;
  /* One request at a time reads the process's output: an evaluation, or a completion. */
  #turn: Promise<void> = Promise.resolve();

  private constructor(private readonly target: LocalConsoleTarget) {
    this.#token = sessionToken(new SecretRedactor(target.secrets));
    this.#process = this.#spawn();
  }

  /** Starts the session's process. */
  static open(target: LocalConsoleTarget): LocalConsoleSession {
    return new LocalConsoleSession(target);
  }

  async *evaluate(code: string, options: ConsoleEvaluateOptions = {}): AsyncGenerator<RunFrame> {
    const done = await this.#take();
    try {
      yield* this.#evaluate(code, options);
    } finally {
      done();
    }
  }

  async complete(line: string): Promise<ConsoleCompletion> {
    const done = await this.#take();
    try {
      const session = this.#process;
      if (session.ended) return [[], line];
      session.child.stdin.write(`${JSON.stringify({ complete: line, session: session.id })}\n`);
      const marker = sessionMarker(this.#token, 'complete');
      for (;;) {
        const next = await session.lines.next();
        if (next.done === true) return [[], line];
        // Output of a timer an earlier input left running is no answer; it belongs to no run either.
        if (next.value.startsWith(marker)) return JSON.parse(next.value.slice(marker.length)) as ConsoleCompletion;
      }
    } finally {
      done();
    }
  }

  async clear(): Promise<void> {
    const done = await this.#take();
    // The process keeps its sessions by id: a new id is a fresh context, built from the scope, in the same process.
    this.#process.id = `console-${newRunId()}`;
    this.#process.declared = [];
    done();
  }

  async close(): Promise<void> {
    this.#process.child.stdin.end();
    await this.#process.exited;
  }

  async *#evaluate(code: string, options: ConsoleEvaluateOptions): AsyncGenerator<RunFrame> {
    if (this.#process.ended) {
      // It died between inputs (never, by design; but a session's loss is never silent).
      const lost = this.#process;
      if (!lost.reported)
        yield {
          type: 'notice',
          message:
            lost.declared.length === 0
              ? 'The console session process ended; this input runs in a fresh one.'
              : `The console session process ended, and what the session declared is lost (${lost.declared.join(', ')}); this input runs in a fresh one.`,
        };
      this.#process = this.#spawn();
    }
    const session = this.#process;
    const event: AdminEvent & { runId: string } = {
      task: CONSOLE_TASK,
      args: {
        code,
        session: session.id,
        ...(options.colors === true ? { colors: true } : {}),
        ...(options.json === true ? { json: true } : {}),
      },
      runId: newRunId(),
      source: 'cli',
      caller: this.target.caller,
      ...(this.target.configVersion === undefined ? {} : { configVersion: this.target.configVersion }),
    };
    await mkdir(this.target.paths.logs, { recursive: true });
    const logFile = runLogFile(this.target.paths, event.runId);
    const log = createWriteStream(logFile, { flags: 'a' });
    let killedFor: KillReason | undefined;
    const kill = (reason: KillReason): void => {
      if (session.ended) return;
      killedFor ??= reason;
      // The process leads its own group: the kill reaches anything it started too.
      signalGroup(session.child, 'SIGKILL');
    };
    const timers: NodeJS.Timeout[] = [setTimeout(() => kill('timeout'), this.target.functionTimeoutSeconds * 1000 + CONSOLE_GRACE_MS)];
    let askedAt: string | undefined;
    const onInterrupt = (): void => {
      askedAt = new Date().toISOString();
      session.child.kill('SIGINT');
      timers.push(setTimeout(() => kill('interrupt'), CONSOLE_GRACE_MS));
    };
    const onForce = (): void => kill('interrupt');
    const listen = (signal: AbortSignal | undefined, listener: () => void): void => {
      if (signal?.aborted === true) listener();
      else signal?.addEventListener('abort', listener, { once: true });
    };
    listen(options.signal, onInterrupt);
    listen(options.force, onForce);
    const started = Date.now();
    try {
      session.child.stdin.write(`${JSON.stringify({ event, log: logFile })}\n`);
      const marker = sessionMarker(this.#token, 'result');
      for (;;) {
        const next = await session.lines.next();
        if (next.done === true) {
          await session.exited;
          // A process still starting up when asked has no handler for SIGINT yet, and ends by it: that too is the interrupt.
          const unfinished = this.#unfinished(
            event,
            started,
            killedFor ?? (askedAt === undefined ? undefined : 'interrupt'),
            session.declared,
          );
          // What the CLI says is what the ledger says: the run's own record of its end, if it got there first.
          const ended = await recordRunEnd(
            this.target.paths,
            askedAt === undefined ? unfinished : { ...unfinished, interruptedAt: askedAt },
          );
          session.reported = true;
          log.write(
            `${JSON.stringify({ level: 'ERROR', message: ended.error?.message, timestamp: new Date().toISOString(), runId: event.runId })}\n`,
          );
          yield { type: 'result', result: ended };
          return;
        }
        if (next.value === marker) {
          // The result comes on its own channel, whole: redacted as an outcome (its output and error), never in its keys.
          const answered = await session.results.next();
          const read = answered.done === true ? undefined : parseRunResult(JSON.parse(answered.value));
          if (read?.ok !== true)
            throw new CnfError(
              `The console session answered no run result: ${read?.problem ?? 'its result channel ended'}`,
              ExitCode.SOFTWARE,
              'tool',
            );
          const result = new SecretRedactor(this.target.secrets).outcome(read.result, true);
          const declared = (result.output as { declared?: readonly string[] } | undefined)?.declared;
          if (declared !== undefined) session.declared = declared;
          yield { type: 'result', result };
          return;
        }
        log.write(`${next.value}\n`);
        yield { type: 'log', line: next.value };
      }
    } finally {
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onInterrupt);
      options.force?.removeEventListener('abort', onForce);
      await new Promise((resolve) => log.end(resolve));
    }
  }

  /** Waits for the session's output to be free, and takes it; call the returned function to give it back. */
  async #take(): Promise<() => void> {
    const previous = this.#turn;
    let release!: () => void;
    this.#turn = new Promise((resolve) => (release = resolve));
    await previous;
    return release;
  }

  #spawn(): SessionProcess {
    const child = spawn(process.execPath, [...runnerArguments(), '--session', this.#token], {
      cwd: this.target.bundleDir,
      env: {
        // The local stage is your own machine: its console is on.
        ...adminEnvironment(
          this.target.app,
          this.target.paths,
          this.target.release,
          this.target.bundleDir,
          this.target.functionTimeoutSeconds,
          true,
        ),
      },
      // fd 3: each evaluation's result, as one JSON line.
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C reaches the CLI only, which decides what to do with it.
      detached: true,
    });
    // A write to a process that just died fails here; its end shows where its output is read.
    child.stdin.on('error', (error) => void error);
    const session: SessionProcess = {
      id: `console-${newRunId()}`,
      child,
      lines: mergedLines(redactedOutput(child, this.target.secrets))[Symbol.asyncIterator](),
      results: createInterface({ input: child.stdio[3] as Readable, crlfDelay: Infinity })[Symbol.asyncIterator](),
      exited: new Promise((resolve) => child.once('close', () => resolve())),
      ended: false,
      declared: [],
      reported: false,
    };
    void session.exited.then(() => {
      session.ended = true;
    });
    return session;
  }

  /** The result of an evaluation whose process ended before it answered; the next input starts a fresh process. */
  #unfinished(
    event: AdminEvent & { runId: string },
    started: number,
    killedFor: KillReason | undefined,
    declared: readonly string[],
  ): RunResult {
    const lost =
      declared.length === 0
        ? 'A fresh session starts with the next input.'
        : `What the session declared is lost (${declared.join(', ')}); a fresh session starts with the next input.`;
    const base = { runId: event.runId, task: event.task, release: this.target.release, durationMs: Date.now() - started };
    if (killedFor === 'interrupt') {
      return {
        ...base,
        exitCode: ExitCode.INTERRUPTED,
        error: {
          name: 'InterruptedError',
          message: `The evaluation was interrupted and did not stop, so its console process was ended. ${lost}`,
        },
      };
    }
    if (killedFor === 'timeout') {
      return {
        ...base,
        exitCode: ExitCode.TIMEOUT,
        error: { name: 'TimeoutError', message: `The evaluation passed the function's timeout, so its console process was ended. ${lost}` },
      };
    }
    return {
      ...base,
      exitCode: ExitCode.SOFTWARE,
      error: { name: 'RunCrashedError', message: `The console process ended during the evaluation; its last lines say why. ${lost}` },
    };
  }
}

/** Sends a signal to a detached child's whole process group, or to the child alone where there is no group. */
function signalGroup(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    child.kill(signal);
  }
}

export { LocalConsoleSession };
/** The process's stdout and stderr, with the secrets redacted whatever wrote them. */
function redactedOutput(child: ChildProcessWithoutNullStreams, secrets: readonly string[]): Readable[] {
  const redactor = new SecretRedactor(secrets);
  return [child.stdout, child.stderr].map((stream) => (redactor.active ? stream.pipe(redactingTransform(redactor)) : stream));
}

export type { LocalConsoleTarget };
