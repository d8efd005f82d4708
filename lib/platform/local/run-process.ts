import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ExitCode } from '../../core/exit-codes.js';
import type { InvokeOptions, RunFrame } from '../../core/platform.js';
import type { AdminEvent, RunError, RunResult } from '../../core/run.js';
import { toolRoot } from '../../core/tool-root.js';
import { recordRunEnd } from './record-run-end.js';
import { adminEnvironment } from './lambda-environment.js';
import { mergedLines } from './merged-lines.js';
import { runLogFile, type LocalPaths } from './local-paths.js';

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
}

/* After a task's timeout, or after an interrupt, the run gets this long to end on its own before it is killed. */
const KILL_GRACE_MS = 5_000;
const INTERRUPT_GRACE_MS = 10_000;

/** Why the platform killed a run, if it did. */
type KillReason = 'timeout' | 'interrupt';

/**
 * Runs an admin event against a local release in a Node process of its own
 * and yields its log lines as they are written, then its result.
 *
 * Every line is also appended to the run's log file. A run that passes its
 * timeout is killed (exit 124); an interrupt asks the task to stop, and kills
 * it after a grace period or on `options.force` (exit 130); a process that
 * dies without a result is a crash (exit 70). Whatever the end, the ledger
 * records it.
 */
async function* runLocally(run: LocalRun, options: InvokeOptions = {}): AsyncGenerator<RunFrame> {
  await mkdir(run.paths.logs, { recursive: true });
  const logFile = runLogFile(run.paths, run.event.runId);
  const log = createWriteStream(logFile, { flags: 'a' });
  const started = Date.now();
  const child = spawn(process.execPath, ['--enable-source-maps', join(toolRoot(), 'dist', 'local-runner.mjs')], {
    cwd: run.bundleDir,
    env: runEnvironment(run, logFile),
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C reaches the CLI only, which asks the run to stop exactly once.
    detached: true,
  });
  child.stdin.end(JSON.stringify(run.event));
  let resultText = '';
  const resultChannel = child.stdio[3] as Readable;
  resultChannel.setEncoding('utf8');
  resultChannel.on('data', (chunk: string) => {
    resultText += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );

  let killedFor: KillReason | undefined;
  const kill = (reason: KillReason): void => {
    if (child.exitCode === null && child.signalCode === null) {
      killedFor ??= reason;
      child.kill('SIGKILL');
    }
  };
  const timers: NodeJS.Timeout[] = [setTimeout(() => kill('timeout'), killAfterMs(run))];
  const onInterrupt = (): void => {
    child.kill('SIGINT');
    timers.push(setTimeout(() => kill('interrupt'), INTERRUPT_GRACE_MS));
  };
  const onForce = (): void => kill('interrupt');
  options.signal?.addEventListener('abort', onInterrupt, { once: true });
  options.force?.addEventListener('abort', onForce, { once: true });

  try {
    for await (const line of mergedLines([child.stdout, child.stderr])) {
      await writeLine(log, line);
      yield { type: 'log', line };
    }
    const { code, signal } = await exited;
    let result = parseResult(resultText);
    if (result === undefined) {
      // Lambda too writes a line of its own when it ends a run: "Task timed out after ...".
      result = await recordUnfinished(run, started, killedFor, code, signal);
      const line = JSON.stringify({
        level: 'ERROR',
        message: result.error?.message,
        timestamp: new Date().toISOString(),
        runId: run.event.runId,
        task: run.event.task,
        release: run.release,
      });
      await writeLine(log, line);
      yield { type: 'log', line };
    }
    yield { type: 'result', result };
  } finally {
    timers.forEach(clearTimeout);
    options.signal?.removeEventListener('abort', onInterrupt);
    options.force?.removeEventListener('abort', onForce);
    kill('interrupt');
    await new Promise((resolve) => log.end(resolve));
  }
}

/** When the platform kills a run that has not ended by itself. */
function killAfterMs(run: LocalRun): number {
  const waitMs = (run.event.waitLockSeconds ?? 0) * 1000;
  const functionMs = run.functionTimeoutSeconds * 1000;
  const taskMs = run.taskTimeoutSeconds === undefined ? functionMs : Math.min(functionMs, waitMs + run.taskTimeoutSeconds * 1000);
  return taskMs + KILL_GRACE_MS;
}

function runEnvironment(run: LocalRun, logFile: string): NodeJS.ProcessEnv {
  return { ...adminEnvironment(run.app, run.paths, run.release, run.bundleDir, run.functionTimeoutSeconds), CNF_RUN_LOG: logFile };
}

function writeLine(stream: WriteStream, line: string): Promise<void> {
  return stream.write(`${line}\n`) ? Promise.resolve() : new Promise((resolve) => stream.once('drain', resolve));
}

function parseResult(text: string): RunResult | undefined {
  if (text.trim() === '') return undefined;
  try {
    const parsed = JSON.parse(text) as RunResult;
    return typeof parsed.exitCode === 'number' ? parsed : undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined; // a run killed while writing its result
    throw error;
  }
}

/**
 * The result of a run that ended without one (killed, or crashed), which is
 * also recorded in the ledger, since the run itself could not record its end.
 */
async function recordUnfinished(
  run: LocalRun,
  started: number,
  killedFor: KillReason | undefined,
  code: number | null,
  signal: NodeJS.Signals | null,
): Promise<RunResult> {
  const { exitCode, error } = unfinishedOutcome(run, killedFor, code, signal);
  const result: RunResult = {
    runId: run.event.runId,
    task: run.event.task,
    release: run.release,
    exitCode,
    durationMs: Date.now() - started,
    error,
  };
  await recordRunEnd(run.paths, result);
  return result;
}

function unfinishedOutcome(
  run: LocalRun,
  killedFor: KillReason | undefined,
  code: number | null,
  signal: NodeJS.Signals | null,
): { exitCode: number; error: RunError } {
  if (killedFor === 'timeout') {
    return {
      exitCode: ExitCode.TIMEOUT,
      error: { name: 'TimeoutError', message: `The run passed its timeout and was killed after ${Math.round(killAfterMs(run) / 1000)}s.` },
    };
  }
  if (killedFor === 'interrupt') {
    return {
      exitCode: ExitCode.INTERRUPTED,
      error: { name: 'InterruptedError', message: 'The run was interrupted and did not stop in time, so it was killed.' },
    };
  }
  const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
  return {
    exitCode: ExitCode.SOFTWARE,
    error: { name: 'RunCrashedError', message: `The run ended without a result (${how}); its last log lines say why.` },
  };
}

export { runLocally };
export type { LocalRun };
