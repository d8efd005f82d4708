import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Recoverable, start, type REPLServer } from 'node:repl';
import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { ConsoleSession, InvokePlan, RunFrame } from '../../core/platform.js';
import type { RunResult } from '../../core/run.js';
import { isIncompleteInput } from '../../runtime/console/rewrite-input.js';
import type { ConsoleOutput } from '../../runtime/console/console-task.js';
import { stylerFor, writeJson, writeLine, type CliIo } from '../io.js';
import { formatLogLine } from '../render/log-line.js';
import { writeNotice } from '../render/run-view.js';
import { noteNodeVersion } from '../node-version-notice.js';
import { openStage, type StageOptions } from '../stage-context.js';

/** The options of `cnf-admin console`. */
interface ConsoleCommandOptions extends StageOptions {
  /** Evaluate this input and exit. */
  readonly eval?: string;
  readonly alias?: string;
  readonly release?: string;
  readonly json?: boolean;
}

/*
 * The runtime's own lines around every run, and its report of a thrown
 * error: in a console they are noise (the run's log keeps them), and the
 * error shows as "Uncaught Name: message", as in Node's REPL.
 */
const BOOKKEEPING = /"message":"(Run started|Run ended|The task threw)"/;

/** A console value as the REPL prints it; `undefined` prints nothing. */
function valueOf(output: ConsoleOutput): string | undefined {
  return output.result === 'undefined' ? undefined : output.result;
}

/** One evaluation, shown as a console shows it: the input's output, then its value or its error. */
async function showEvaluation(io: CliIo, frames: AsyncIterable<RunFrame>): Promise<RunResult | undefined> {
  const style = stylerFor(io.stdout, io.env);
  for await (const frame of frames) {
    if (frame.type === 'log' && !BOOKKEEPING.test(frame.line)) writeLine(io.stdout, formatLogLine(frame.line, style));
    else if (frame.type === 'notice') writeNotice(io, frame.message);
    else if (frame.type === 'result') return frame.result;
  }
  return undefined;
}

function errorLine(result: RunResult | undefined): string {
  if (result === undefined) return 'Uncaught: the evaluation ended without a result';
  return `Uncaught ${result.error?.name ?? 'Error'}: ${result.error?.message ?? `exit ${result.exitCode}`}`;
}

/**
 * `cnf-admin console`: a REPL whose every input is evaluated inside the
 * admin function of the live release, with the app's config, database
 * handle and modules in scope; with `-e` it evaluates one input, and with
 * input piped to it, each statement in turn.
 */
async function consoleCommand(options: ConsoleCommandOptions, io: CliIo): Promise<number> {
  const { platform, project, stage } = await openStage(io, options);
  if (options.json === true && options.eval === undefined)
    throw new UsageError('--json needs -e: an interactive console prints no single JSON document.');
  const plan = await platform.resolve({
    ...(options.alias === undefined ? {} : { alias: options.alias }),
    ...(options.release === undefined ? {} : { release: options.release }),
  });
  plan.notices.forEach((notice) => writeNotice(io, notice));
  await noteNodeVersion(io, { platform, project });
  const session = await platform.openConsole(plan, await platform.callerIdentity());
  try {
    if (options.eval !== undefined) return await evaluateOnce(io, session, options.eval, options.json === true);
    const interactive = (io.stdin as { isTTY?: boolean }).isTTY === true && io.stdout.isTTY === true;
    if (!interactive) return await evaluatePiped(io, session);
    return await repl(io, session, plan, join(project.stateDir, `console-history-${stage.name}`));
  } finally {
    await session.close();
  }
}

async function evaluateOnce(io: CliIo, session: ConsoleSession, code: string, json: boolean): Promise<number> {
  const result = await showEvaluation(json ? { ...io, stdout: io.stderr } : io, session.evaluate(code));
  if (json && result !== undefined) writeJson(io, result);
  else if (result?.exitCode === ExitCode.OK) writeLine(io.stdout, valueOf(result.output as ConsoleOutput) ?? 'undefined');
  else writeLine(io.stderr, errorLine(result));
  return result?.exitCode ?? ExitCode.SOFTWARE;
}

/**
 * Input piped to the console: lines gather until they make a complete
 * statement, which is evaluated (in order, each in turn) and its value
 * printed, as the REPL would. Ends with the first failing evaluation's exit
 * code, or 0.
 */
async function evaluatePiped(io: CliIo, session: ConsoleSession): Promise<number> {
  let exitCode: number = ExitCode.OK;
  let pending = '';
  for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
    pending = pending === '' ? line : `${pending}\n${line}`;
    if (pending.trim() === '' || isIncompleteInput(pending)) continue;
    const code = pending;
    pending = '';
    const result = await showEvaluation(io, session.evaluate(code));
    if (result?.exitCode === ExitCode.OK) {
      const value = valueOf(result.output as ConsoleOutput);
      if (value !== undefined) writeLine(io.stdout, value);
    } else {
      writeLine(io.stderr, errorLine(result));
      if (exitCode === ExitCode.OK) exitCode = result?.exitCode ?? ExitCode.SOFTWARE;
    }
  }
  if (pending.trim() !== '') {
    writeLine(io.stderr, `Uncaught SyntaxError: the input ends inside a statement: ${pending.split('\n')[0]} ...`);
    return ExitCode.TASK_FAILED;
  }
  return exitCode;
}

/** The interactive REPL: history, multi-line input, completion of top-level names; each complete input is one evaluation. */
function repl(io: CliIo, session: ConsoleSession, plan: InvokePlan, historyFile: string): Promise<number> {
  let names: readonly string[] = [];
  let current: AbortController | undefined;
  let exitCode: number = ExitCode.OK;
  let queue: Promise<void> = Promise.resolve();
  writeLine(io.stderr, `Console on ${plan.stage}, release ${plan.release}. Every input is an audited run. .exit or Ctrl-D to leave.`);
  const server: REPLServer = start({
    prompt: `${plan.stage}> `,
    input: io.stdin,
    output: io.stdout,
    terminal: true,
    ignoreUndefined: true,
    writer: (text: unknown) => String(text),
    completer: (line: string) => {
      const word = /[A-Za-z_$][\w$]*$/.exec(line)?.[0] ?? '';
      return [names.filter((name) => name.startsWith(word)), word];
    },
    eval: (code, _context, _file, callback) => {
      if (code.trim() === '') return callback(null, undefined);
      if (isIncompleteInput(code)) return callback(new Recoverable(new SyntaxError('Unexpected end of input')), undefined);
      // The REPL must not take the next input while this one runs: its multi-line buffer would be lost.
      server.pause();
      queue = queue.then(async () => {
        current = new AbortController();
        try {
          const result = await showEvaluation(io, session.evaluate(code, { signal: current.signal }));
          if (result?.exitCode === ExitCode.OK) {
            const output = result.output as ConsoleOutput;
            names = output.names;
            callback(null, valueOf(output));
          } else {
            writeLine(io.stderr, errorLine(result));
            if (exitCode === ExitCode.OK) exitCode = result?.exitCode ?? ExitCode.SOFTWARE;
            callback(null, undefined);
          }
        } catch (error) {
          callback(error as Error, undefined);
        } finally {
          current = undefined;
          server.resume();
        }
      });
    },
  });
  // Ctrl-C during an evaluation asks it to stop; otherwise the REPL clears the line as usual.
  server.on('SIGINT', () => current?.abort());
  server.setupHistory(historyFile, () => undefined);
  return new Promise((resolve) => server.once('exit', () => void queue.then(() => resolve(exitCode))));
}

export { consoleCommand };
export type { ConsoleCommandOptions };
