import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Recoverable, start, type REPLServer } from 'node:repl';
import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { ConsoleEvaluateOptions, ConsoleSession, InvokePlan, RunFrame } from '../../core/platform.js';
import type { RunResult } from '../../core/run.js';
import type { PlatformKind } from '../../core/stage.js';
import { isIncompleteInput, unfinishedInputMessage } from '../../runtime/console/rewrite-input.js';
import type { ConsoleAnswer } from '../../core/console-protocol.js';
import { BOOKKEEPING_MESSAGES, STOPPING_TASK } from '../../core/run-log.js';
import { ConsoleHistory } from '../console-history.js';
import { typedSecretsOf } from '../secret-mask.js';
import { onStopSignal, withInterrupts } from '../interrupts.js';
import { stylerFor, writeJson, writeLine, type CliIo } from '../io.js';
import { formatLogLine } from '../render/log-line.js';
import { describePlanConfig, writeNotice } from '../render/run-view.js';
import { checkReleaseTarget } from '../invoke-input.js';
import { noteNodeVersion } from '../node-version-notice.js';
import { openStage } from '../stage-context.js';
import type { CommandOptions } from '../command-options.js';
import { deployWorkingTreeFirst } from '../auto-deploy.js';
import { unlistedConsoleHint } from '../unlisted-console.js';
import { errorLine } from '../console-error-line.js';

/** The options of `cnf-admin console`, as its flags declare them (`eval`: `-e`, evaluate this input and exit). */
type ConsoleCommandOptions = CommandOptions<'console'>;

/*
 * The runtime's own lines around every run, and its report of a thrown
 * error: in a console they are noise (the run's log keeps them), and the
 * error shows as "Uncaught Name: message", as in Node's REPL.
 */
const BOOKKEEPING = new RegExp(`"message":"(${BOOKKEEPING_MESSAGES.join('|')}|${STOPPING_TASK}: [^"]*)"`);

const LOCAL_INTERRUPT = 'Interrupting: the evaluation is asked to stop (its signal fired). Press Ctrl-C again to end it at once.';
const AWS_INTERRUPT = 'Interrupted: no longer waiting for the evaluation.';

/** A console value as the REPL prints it; `undefined` prints nothing. */
function valueOf(output: ConsoleAnswer): string | undefined {
  return output.result === 'undefined' ? undefined : output.result;
}

/** An evaluation's answer; one read back from its record (a run id answered again) keeps only the value as shown. */
function answerOf(output: unknown): ConsoleAnswer {
  return typeof output === 'string' ? { result: output, names: [], declared: [] } : (output as ConsoleAnswer);
}

/** One evaluation, shown as a console shows it: the input's output, then its value or its error. */
async function showEvaluation(io: CliIo, frames: AsyncIterable<RunFrame>): Promise<RunResult | undefined> {
  const style = stylerFor(io.stdout, io.env);
  for await (const frame of frames) {
    if (frame.type === 'log' && !BOOKKEEPING.test(frame.line))
      writeLine(io.stdout, formatLogLine(frame.line, style, { record: frame.record }));
    else if (frame.type === 'notice') writeNotice(io, frame.message);
    else if (frame.type === 'result') return frame.result;
  }
  return undefined;
}

/** Writes an evaluation's {@link errorLine}, where it has one. */
function writeErrorLine(io: CliIo, result: RunResult | undefined): void {
  const line = errorLine(result);
  if (line !== undefined) writeLine(io.stderr, line);
}

/** Whether values print in colour: the same rule as every styled line of the CLI (a terminal, no NO_COLOR). */
function colorsFor(io: CliIo): boolean {
  return stylerFor(io.stdout, io.env)('bold', '.') !== '.';
}

/**
 * `cnf-admin console`: a REPL whose every input is evaluated inside the
 * admin function of the live release, with the app's config, database
 * handle and modules in scope; with `-e` it evaluates one input, and with
 * input piped to it, each statement in turn.
 *
 * SIGINT, SIGTERM and SIGHUP interrupt the evaluation that is running (see
 * the platform's console session for how it is stopped) and end the command
 * with 130, unless the evaluation ended by itself with another exit code.
 */
async function consoleCommand(options: ConsoleCommandOptions, io: CliIo): Promise<number> {
  if (options.json === true && options.eval === undefined)
    throw new UsageError('--json needs -e: an interactive console prints no single JSON document.');
  const target = checkReleaseTarget(options);
  const context = await openStage(io, options);
  const { platform, project, stage } = context;
  await deployWorkingTreeFirst(context, options);
  const plan = await platform.resolve(target);
  plan.notices.forEach((notice) => writeNotice(io, notice));
  // Locally the checkout is at hand: a console module written and not named in the admin entry is why its names are undefined.
  const unnamed = platform.kind === 'local' ? unlistedConsoleHint(project) : undefined;
  if (unnamed !== undefined) writeNotice(io, unnamed);
  await noteNodeVersion(io, { platform, project });
  const session = await platform.openConsole(plan, await platform.callerIdentity());
  const notice = platform.kind === 'aws' ? AWS_INTERRUPT : LOCAL_INTERRUPT;
  try {
    if (options.eval !== undefined) return await evaluateOnce(io, session, options.eval, options.json === true, notice);
    const interactive = (io.stdin as { isTTY?: boolean }).isTTY === true && io.stdout.isTTY === true;
    if (!interactive) return await evaluatePiped(io, session, notice);
    const history = await ConsoleHistory.open(join(project.stateDir, `console-history-${stage.name}.jsonl`), typedSecretsOf(platform));
    return await repl(io, session, plan, history, platform.kind);
  } finally {
    await session.close();
  }
}

async function evaluateOnce(io: CliIo, session: ConsoleSession, code: string, json: boolean, notice: string): Promise<number> {
  let interrupted = false;
  const result = await withInterrupts(io, notice, (interrupt, force) => {
    const signal = orOutputClosed(io, interrupt);
    signal.addEventListener('abort', () => (interrupted = true), { once: true });
    const evaluation = session.evaluate(code, { signal, force, colors: !json && colorsFor(io), json });
    return showEvaluation(json ? { ...io, stdout: io.stderr } : io, evaluation);
  });
  if (json && result !== undefined) writeJson(io, asJsonResult(result));
  else if (result?.exitCode === ExitCode.OK) writeLine(io.stdout, valueOf(answerOf(result.output)) ?? 'undefined');
  else if (result !== undefined || !interrupted) writeErrorLine(io, result);
  if (result?.interruptedAt !== undefined && result.exitCode !== ExitCode.INTERRUPTED)
    writeNotice(
      io,
      `The evaluation was asked to stop but ended on its own: exit ${result.exitCode} is its own, and the ledger records it as interrupted.`,
    );
  if (result === undefined) return interrupted ? ExitCode.INTERRUPTED : ExitCode.SOFTWARE;
  return result.exitCode;
}

/**
 * What `console --json -e` prints: the run result, whose output is the
 * input's value as JSON data (`result`, absent where JSON cannot hold the
 * value) and as the console shows it (`text`).
 */
function asJsonResult(result: RunResult): RunResult {
  if (result.exitCode !== ExitCode.OK || result.output === undefined) return result;
  const answer = answerOf(result.output);
  return { ...result, output: { ...('value' in answer ? { result: answer.value } : {}), text: answer.result } };
}

/**
 * `signal`, and also the closing of the console's output (`console | head`
 * once head has read enough): nobody reads what the evaluation prints any
 * more, so it is asked to stop as Ctrl-C would ask it, instead of running on
 * into memory it cannot have (an endless `console.log` loop).
 */
function orOutputClosed(io: CliIo, signal: AbortSignal): AbortSignal {
  const closed = new AbortController();
  const onError = (error: NodeJS.ErrnoException): void => {
    if (closed.signal.aborted || (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED')) return;
    writeNotice(io, 'The output was closed: the evaluation is asked to stop.');
    closed.abort();
  };
  io.stdout.on('error', onError);
  return AbortSignal.any([signal, closed.signal]);
}

/** The dot-commands piped input takes, as Node's REPL takes them. */
const PIPED_COMMANDS: Readonly<Record<string, string>> = {
  break: 'Sometimes you get stuck, this gets you out',
  clear: 'Break, and also clear the local context',
  exit: 'Exit the REPL',
  help: 'Print this help message',
};

/**
 * The dot-command a line of piped input is, as Node's REPL reads one: a
 * line that starts with one dot and a word (not `.5`); an unknown word is a
 * command only outside a statement (there, `.then(...)` goes on a chain).
 */
function dotCommand(line: string, pending: string): string | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('.') || trimmed.startsWith('..') || !Number.isNaN(Number.parseFloat(trimmed))) return undefined;
  const keyword = /^\.([^\s]+)/.exec(trimmed)?.[1];
  if (keyword === undefined) return undefined;
  return Object.hasOwn(PIPED_COMMANDS, keyword) || pending === '' ? keyword : undefined;
}

/**
 * Input piped to the console: lines gather until they make a complete
 * statement, which is evaluated (in order, each in turn) and its value
 * printed, as the REPL would; `.exit`, `.clear`, `.break` and `.help` are
 * the REPL's commands, not code. Ends with the first failing evaluation's
 * exit code (64 for an unknown dot-command), or 0; an interrupt, or the
 * output closing, stops the evaluation that runs and reads no more.
 */
async function evaluatePiped(io: CliIo, session: ConsoleSession, notice: string): Promise<number> {
  return withInterrupts(io, notice, async (interrupt, force) => {
    const signal = orOutputClosed(io, interrupt);
    let exitCode: number = ExitCode.OK;
    const failed = (code: number): void => {
      if (exitCode === ExitCode.OK) exitCode = code;
    };
    let pending = '';
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
    signal.addEventListener('abort', () => lines.close(), { once: true });
    for await (const line of lines) {
      const command = dotCommand(line, pending);
      if (command === 'exit') {
        pending = '';
        break;
      }
      if (command !== undefined) {
        pending = '';
        if (command === 'clear') {
          writeLine(io.stderr, 'Clearing context...');
          await session.clear();
        } else if (command === 'help') {
          for (const [name, help] of Object.entries(PIPED_COMMANDS)) writeLine(io.stdout, `.${name.padEnd(7)}${help}`);
        } else if (command !== 'break') {
          writeLine(
            io.stderr,
            `Invalid REPL keyword: .${command} (piped input takes ${Object.keys(PIPED_COMMANDS)
              .map((name) => `.${name}`)
              .join(', ')})`,
          );
          failed(ExitCode.USAGE);
        }
        continue;
      }
      pending = pending === '' ? line : `${pending}\n${line}`;
      if (pending.trim() === '' || isIncompleteInput(pending)) continue;
      const code = pending;
      pending = '';
      if (signal.aborted) break;
      const result = await showEvaluation(io, session.evaluate(code, { signal, force, colors: colorsFor(io) }));
      if (result?.exitCode === ExitCode.OK) {
        const value = valueOf(result.output as ConsoleAnswer);
        if (value !== undefined) writeLine(io.stdout, value);
      } else if (result !== undefined || !signal.aborted) {
        writeErrorLine(io, result);
      }
      if (result?.exitCode !== ExitCode.OK) failed(result?.exitCode ?? (signal.aborted ? ExitCode.INTERRUPTED : ExitCode.SOFTWARE));
      if (signal.aborted) break;
    }
    lines.close();
    if (signal.aborted) return exitCode === ExitCode.OK ? ExitCode.INTERRUPTED : exitCode;
    if (pending.trim() !== '') {
      writeLine(io.stderr, `Uncaught SyntaxError: ${unfinishedInputMessage(pending)}`);
      return ExitCode.TASK_FAILED;
    }
    return exitCode;
  });
}

/** A key as readline reports it. */
interface Key {
  readonly name?: string;
  readonly ctrl?: boolean;
}

/** The part of the REPL server that this console reaches below its public API. */
interface TtyWriting {
  /** readline's handler of every key; Node's REPL wraps it the same way to hold keys while an await runs. */
  _ttyWrite(data: string, key: Key | undefined): void;
  /** False while readline reads a chunk of several keys, but its last: a pasted Tab is text, not a completion. */
  isCompletionEnabled: boolean;
}

/** The evaluation that is running, and how to stop it. */
interface Running {
  readonly interrupt: AbortController;
  readonly force: AbortController;
}

/**
 * The interactive REPL, made to feel like Node's: multi-line input, Tab
 * completion of names and members (asked of the session), values in colour
 * on a terminal, and a history of whole inputs. Each complete input is one
 * evaluation, an audited run.
 *
 * While an input runs, keys wait (they are replayed after it, as Node's REPL
 * does during an await), except Ctrl-C, which interrupts it; a second Ctrl-C
 * ends it at once. At the prompt, Ctrl-C behaves as in Node's REPL. SIGINT,
 * SIGTERM or SIGHUP from outside interrupt what runs and end the console
 * with 130.
 */
function repl(io: CliIo, session: ConsoleSession, plan: InvokePlan, history: ConsoleHistory, kind: PlatformKind): Promise<number> {
  let exitCode: number = ExitCode.OK;
  let running: Running | undefined;
  let stopped = false;
  let queue: Promise<void> = Promise.resolve();
  let historyFailed = false;
  /* Keys that arrive while a completion is asked for wait for its answer: `con` Tab Tab in one read completes `con`, twice. */
  let completing = false;
  const heldKeys: [string, Key | undefined][] = [];
  const colors = colorsFor(io);
  writeLine(
    io.stderr,
    `Console on ${plan.stage}, release ${plan.release}, ${describePlanConfig(plan)}. Every input is an audited run. .exit or Ctrl-D to leave.`,
  );

  const interrupt = (): void => {
    if (running === undefined) return;
    if (running.interrupt.signal.aborted) {
      running.force.abort();
      return;
    }
    writeNotice(io, kind === 'aws' ? AWS_INTERRUPT : LOCAL_INTERRUPT);
    running.interrupt.abort();
  };

  const evaluate = async (code: string): Promise<unknown> => {
    const current: Running = { interrupt: new AbortController(), force: new AbortController() };
    running = current;
    try {
      const options: ConsoleEvaluateOptions = { signal: current.interrupt.signal, force: current.force.signal, colors };
      const result = await showEvaluation(io, session.evaluate(code, options));
      if (result?.exitCode === ExitCode.OK) return valueOf(result.output as ConsoleAnswer);
      // On AWS an interrupt leaves no result: the session has said what that means.
      if (result !== undefined || !current.interrupt.signal.aborted) writeErrorLine(io, result);
      // Ctrl-C on an input is the user's own choice, not a failure of the session.
      if (exitCode === ExitCode.OK && !current.interrupt.signal.aborted) exitCode = result?.exitCode ?? ExitCode.SOFTWARE;
      return undefined;
    } finally {
      running = undefined;
    }
  };

  /* Resolves once the input is saved and in readline's history, so that Up at the next prompt recalls it. */
  const remember = (input: string): Promise<void> =>
    history.add(input).then(
      (kept) => {
        if (kept) server.history = history.newestFirst();
        else writeNotice(io, `Not kept in the console history: the input holds a secure value of stage ${plan.stage}.`);
      },
      (error: unknown) => {
        if (historyFailed) return;
        historyFailed = true;
        writeNotice(io, `The console history could not be saved: ${(error as Error).message}`);
      },
    );

  const server: REPLServer & { history: string[] } = start({
    // Node's REPL passes it on to readline; its types omit it.
    ...{ historySize: 1000 },
    prompt: `${plan.stage}> `,
    input: io.stdin,
    output: io.stdout,
    terminal: true,
    ignoreUndefined: true,
    writer: (text: unknown) => String(text),
    completer: (line: string, callback: (error: Error | null, completion: [string[], string]) => void) => {
      completing = true;
      const answer = (error: Error | null, completion: [string[], string]): void => {
        completing = false;
        callback(error, completion);
        replayHeldKeys();
      };
      session.complete(line).then(
        (completion) => answer(null, completion),
        (error: unknown) => answer(error as Error, [[], line]),
      );
    },
    eval: (code, _context, _file, callback) => {
      const input = code.replace(/\n$/, '');
      if (input.trim() === '') return callback(null, undefined);
      if (isIncompleteInput(input)) return callback(new Recoverable(new SyntaxError('Unexpected end of input')), undefined);
      const remembered = remember(input);
      queue = queue.then(async () => {
        try {
          callback(null, await evaluate(input).finally(() => remembered));
        } catch (error) {
          callback(error as Error, undefined);
        } finally {
          replayHeldKeys();
        }
      });
    },
  }) as REPLServer & { history: string[] };
  const tty = server as unknown as TtyWriting;
  const ttyWrite = tty._ttyWrite.bind(server);
  /*
   * readline completes only on the last key of a chunk, so that a pasted Tab
   * stays text: `con` Tab Tab typed fast (or sent at once) would insert a Tab
   * and complete the empty word after it, listing every global. A Tab that
   * ends a word is a completion wherever it comes (the keys after it wait
   * for its answer); a Tab after a blank (indentation) is text, as readline
   * has it.
   */
  const completeOrType = (data: string, key: Key | undefined): void => {
    const endsWord = /[\w$.]$/.test(server.line.slice(0, server.cursor));
    if (key?.name !== 'tab' || key.ctrl === true || tty.isCompletionEnabled || !endsWord) return ttyWrite(data, key);
    tty.isCompletionEnabled = true;
    try {
      ttyWrite(data, key);
    } finally {
      tty.isCompletionEnabled = false;
    }
  };
  tty._ttyWrite = (data, key) => {
    if (running === undefined && !completing && heldKeys.length === 0) return completeOrType(data, key);
    if (running !== undefined && key?.ctrl === true && key.name === 'c') return interrupt();
    heldKeys.push([data, key]);
  };
  const replayHeldKeys = (): void => {
    while (running === undefined && !completing && heldKeys.length > 0) {
      const [data, key] = heldKeys.shift() as [string, Key | undefined];
      completeOrType(data, key);
    }
  };

  // `.clear`: Node's REPL resets its own context and says so; the session's is the one that counts.
  server.on('reset', () => {
    queue = queue.then(() => session.clear());
  });

  // History holds whole inputs only: readline's own entries (each line, dot-commands) give way to it after every line.
  server.history = history.newestFirst();
  server.on('line', () => {
    server.history = history.newestFirst();
  });

  const onSignal = (): void => {
    stopped = true;
    interrupt();
    // Closed once the input that runs has ended: the REPL's prompt after it would take the terminal back.
    void queue.then(() => server.close());
  };
  const removeListener = onStopSignal(onSignal);
  return new Promise((resolve) =>
    server.once('exit', () => {
      void queue.then(() => {
        removeListener();
        resolve(stopped ? ExitCode.INTERRUPTED : exitCode);
      });
    }),
  );
}

export { consoleCommand };
export type { ConsoleCommandOptions };
