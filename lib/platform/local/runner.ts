/**
 * Runs admin invocations of a local release, as Lambda would: a Node process
 * of its own, the bundle as its task root, the release's parameter set, a
 * context with the remaining time. The local platform spawns it.
 *
 * One run (the default): the event arrives on stdin; the task's log goes to
 * stdout as it is written, what it writes to stderr too, in order
 * (`one-log-stream.ts`); the run result goes to file descriptor 3 as one
 * JSON line.
 *
 * A console session (`--session <token>`): one JSON line per evaluation on
 * stdin, `{ "event": ..., "log": "<log file>" }`; after each, a marker line
 * (`sessionMarker`) on stdout, after its output, so that the reader
 * knows where one evaluation's output ends; its RunResult JSON is one line on
 * file descriptor 3, written before the marker. The process, and
 * so everything the session declared, lives until stdin closes. A line
 * `{ "complete": "<line>", "session": "<id>" }` asks for the completions of
 * a console line instead, answered by `\0cnf:<token>:complete <JSON>`; it is
 * no run.
 *
 * A session's process does not outlive the CLI that opened it: a watchdog
 * thread (`session-watchdog.ts`) interrupts the evaluation and ends the
 * process once the CLI is gone, and a closed output (the CLI's end of the
 * pipe) is no error here. Nor does a run's process, even when its task
 * blocks its thread: a small shell process watches (`orphan-watch.ts`).
 * Its output leaves as it is written, even from an input that never awaits
 * (`inline-output.ts`).
 *
 * A standby runner (`standby-runner.ts`) starts before its run is known:
 * its stdin holds lines, the release to load and then the run, each with
 * the environment and working directory it takes on; given no run, it ends.
 *
 * SIGINT or SIGTERM interrupt the current run through its abort signal.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { ExitCode } from '../../core/exit-codes.js';
import { ownerGoneReason } from '../../core/run-log.js';
import type { RunResult } from '../../core/run.js';
import type { AdminHandler } from '../../runtime/admin-handler.js';
import { registeredCompleter } from '../../runtime/console/completion-hook.js';
import { addRunnerToOwner } from '../../runtime/ledger/process-identity.js';
import { readStdin } from './read-stdin.js';
import { sessionMarker } from './session-marker.js';
import { LOCAL_INTERRUPT_GRACE_MS } from './interrupt-grace.js';
import { watchForOrphaning } from './orphan-watch.js';
import { writeOutputInline } from './inline-output.js';
import { writeStderrToStdout } from './one-log-stream.js';
import { provideNavigator } from './lambda-navigator.js';
import { tellLateErrors } from './late-errors.js';
import type { WatchdogData, WatchedRun } from './session-watchdog.js';
import { readCnfEnvironment, writeCnfEnvironment } from '../../core/cnf-environment.js';
import { LAMBDA_MAX_TIMEOUT_SECONDS } from '../../core/task-runtime.js';
import type { StandbyMessage } from './standby-message.js';

const RESULT_FD = 3;

/* How often the runner checks that the process that started it still runs. */
const OWNER_WATCH_MS = 250;

// Before any of the release's code loads: it finds the globals Lambda's Node has.
provideNavigator();
// An error a task's code raises once its run has ended does not end the process before it hands over the result.
tellLateErrors();

let interrupt = new AbortController();
// The watch that outlives a killed owner interrupts with a signal too: the run then says why, as the owner watch below does.
const onSignal = (): void => interrupt.abort(process.ppid === ownerPid ? undefined : ownerGone());
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/** Takes on what the environment says of the run, once the run is known (a standby may have loaded the release already). */
function beginRun(): void {
  // The run's record names this process too: while it lives, the run is not lost, even when its owner died.
  addRunnerToOwner();
  // Interrupted before this process started: the run is told at once, and records that its task did not run.
  if (readCnfEnvironment().interrupted === true) interrupt.abort();
}

/*
 * The process that started this one owns the run. Should it die (its
 * terminal closed, it was killed), the run is interrupted, so that it ends
 * and records its end instead of running on unseen; its output, which no
 * one reads any more, is dropped rather than crashing the run.
 */
const ownerPid = process.ppid;
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
const ownerWatch = setInterval(() => {
  if (process.ppid === ownerPid) return;
  clearInterval(ownerWatch);
  interrupt.abort(ownerGone());
}, OWNER_WATCH_MS);
ownerWatch.unref();

/** Why a run is interrupted when the process that started it is gone. */
function ownerGone(): string {
  return ownerGoneReason(ownerPid);
}

async function loadHandler(): Promise<AdminHandler> {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (taskRoot === undefined) throw new Error('LAMBDA_TASK_ROOT is not set');
  return ((await import(pathToFileURL(join(taskRoot, 'admin.mjs')).href)) as { handler: AdminHandler }).handler;
}

/**
 * Calls the handler as Lambda would, with a fresh deadline, and the current
 * interrupt: one that arrived while the process started (before the handler
 * loaded) still reaches the run.
 */
async function invokeOnce(handler: AdminHandler, event: unknown): Promise<RunResult> {
  const deadline = Date.now() + (readCnfEnvironment().functionTimeoutSeconds ?? LAMBDA_MAX_TIMEOUT_SECONDS) * 1000;
  const result = await handler(event, {
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    interrupt: interrupt.signal,
  });
  // Output a task wrote may still be queued for the pipe: it belongs to the run before its result.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  return result;
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/** Loads the named task's module ahead of its run, when the release's handler can (one built by an older cnf-admin cannot). */
async function loadTaskAhead(handler: AdminHandler, task: string | undefined): Promise<void> {
  if (task !== undefined && typeof handler.preload === 'function') await handler.preload(task);
}

/** A run to make: its event, and its handler when a standby runner is loading it already. */
interface PendingRun {
  readonly event: unknown;
  readonly handler?: Promise<AdminHandler>;
}

/**
 * The run a standby runner is given, line by line on stdin
 * (`standby-message.ts`): a release to load (its environment and directory
 * taken on, its handler loaded at once, as Lambda's init does, then the
 * module of the task the command names), then the run
 * (its whole environment taken on, and its event). Undefined when stdin ends
 * without a run.
 */
async function standbyRun(): Promise<PendingRun | undefined> {
  let loading: Promise<AdminHandler> | undefined;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const message = JSON.parse(line) as StandbyMessage;
    for (const key of Object.keys(process.env)) if (!Object.hasOwn(message.env, key)) delete process.env[key];
    Object.assign(process.env, message.env);
    process.chdir(message.cwd);
    if (message.event !== undefined) return { event: message.event, ...(loading === undefined ? {} : { handler: loading }) };
    loading ??= loadHandler();
    // A release that fails to load fails its run, when one comes; until then the failure waits.
    loading.then((handler) => loadTaskAhead(handler, message.task)).catch(() => undefined);
  }
  return undefined;
}

async function runOnce(): Promise<void> {
  // One stream of lines, in the order written, before anything of the release loads.
  writeStderrToStdout();
  const run: PendingRun | undefined =
    readCnfEnvironment().standbyRunner === true ? await standbyRun() : { event: JSON.parse(await readStdin()) as unknown };
  if (run === undefined) return;
  beginRun();
  watchForOrphaning(ownerPid, LOCAL_INTERRUPT_GRACE_MS);
  const result = await invokeOnce(await (run.handler ?? loadHandler()), run.event);
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream('', { fd: RESULT_FD });
    out.once('error', reject);
    out.end(`${JSON.stringify(result)}\n`, () => resolve());
  });
}

async function runSession(token: string): Promise<void> {
  // The results' channel (fd 3), opened at the first evaluation: a session that only completes lines writes none.
  let channel: WriteStream | undefined;
  const results = (): WriteStream => (channel ??= createWriteStream('', { fd: RESULT_FD }));
  beginRun();
  writeOutputInline();
  const watchdog = await startWatchdog();
  const handler = await loadHandler();
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const request = JSON.parse(line) as { event: unknown; log: string } | { complete: string; session: string };
    if ('complete' in request) {
      const completion = (await completeSafely(request.session, request.complete)) ?? [[], request.complete];
      process.stdout.write(`${sessionMarker(token, 'complete')}${JSON.stringify(completion)}\n`);
      continue;
    }
    const { event, log } = request;
    writeCnfEnvironment(process.env, { runLog: log });
    // Each evaluation of a session has an interrupt of its own.
    interrupt = new AbortController();
    watchdog.postMessage(watchedRun(event));
    const result = await invokeOnce(handler, event);
    watchdog.postMessage(null);
    // The result goes on its own channel, as a run's does: on stdout the CLI redacts the text once more, which would
    // also cut a secure value out of the result's own keys (`dur[redacted]Ms` for a value "ation"). The marker on
    // stdout, after the evaluation's output, says where that output ends.
    await new Promise<void>((resolve, reject) =>
      results().write(`${JSON.stringify(result)}\n`, (error) => (error ? reject(error) : resolve())),
    );
    process.stdout.write(`${sessionMarker(token, 'result')}\n`);
  }
  await flushed(process.stdout);
}

/**
 * Starts the session's watchdog: once the CLI is gone, what an input prints
 * has no reader (the inline writes drop it), and the watchdog ends the
 * session.
 */
async function startWatchdog(): Promise<Worker> {
  const data: WatchdogData = { parent: process.ppid, ledger: readCnfEnvironment().ledgerDir ?? '' };
  // Loaded here: only a console session has a watchdog, and a run's process starts without it.
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(new URL('./local-session-watchdog.mjs', import.meta.url), { workerData: data });
  // It watches; it does not keep the session alive.
  worker.unref();
  return worker;
}

/** The run an evaluation's event starts, for the watchdog. */
function watchedRun(event: unknown): WatchedRun {
  const { runId, task } = event as { runId: string; task: string };
  return { runId, task, release: readCnfEnvironment().release ?? 'unknown', startedAt: Date.now() };
}

/** The completions of a console line; a completer that fails (it never should) offers nothing, and the session lives on. */
async function completeSafely(session: string, line: string): Promise<[string[], string] | undefined> {
  try {
    return await registeredCompleter()?.(session, line);
  } catch (error) {
    console.error(error);
    return undefined;
  }
}

const sessionFlag = process.argv.indexOf('--session');
const token = sessionFlag >= 0 ? process.argv[sessionFlag + 1] : undefined;
(token === undefined ? runOnce() : runSession(token)).then(
  // Open database pools and timers must not keep a finished process alive.
  () => process.exit(ExitCode.OK),
  (error: unknown) => {
    console.error(error);
    process.exit(ExitCode.SOFTWARE);
  },
);
