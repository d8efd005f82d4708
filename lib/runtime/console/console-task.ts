import { inspect } from 'node:util';
import * as z from 'zod';
import { CONSOLE_TASK } from '../../core/task-catalog.js';
import type { ConsoleAnswer, ConsoleInput } from '../../core/console-protocol.js';
import { loadConfig } from '../config-loader.js';
import type { Task } from '../define-task.js';
import { createRunLogger } from '../logger.js';
import type { ConsoleScopeFactory } from './define-console.js';
import { registerCompleter } from './completion-hook.js';
import type { ConsoleSession } from './console-session.js';
import { readCnfEnvironment } from '../../core/cnf-environment.js';
import { withDatabaseDetails } from '../database-error-details.js';

const consoleArgs = z.strictObject({
  code: z.string().min(1),
  session: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  /** Present when no process outlives an evaluation: the saved variables of the session ('' for none yet). */
  state: z.string().optional(),
  /** Show the value in colour (the caller's terminal takes ANSI colours). */
  colors: z.boolean().optional(),
  /** Also answer the value as JSON data. */
  json: z.boolean().optional(),
}) satisfies z.ZodType<ConsoleInput>;

/*
 * On the local stage one process serves a whole console session, so its
 * sessions live here: one at a time, as the process serves one CLI. A new id
 * (`.clear` asks for one) replaces the session before it, which is let go.
 */
const sessions = new Map<string, ConsoleSession>();

function keep(id: string, session: ConsoleSession): void {
  if (!sessions.has(id)) sessions.clear();
  sessions.set(id, session);
}

/** Where the app's console scope comes from, as the admin handler was given it. */
type ConsoleScopeSource = () => Promise<{ readonly default: ConsoleScopeFactory }>;

let scopeSource: ConsoleScopeSource | undefined;

/** Registers the app's console scope, so that a session can be opened for completion before its first input. */
function registerConsoleScope(source: ConsoleScopeSource): void {
  scopeSource = source;
}

/*
 * The session process completes a line without a run (a Tab press is not an
 * audited evaluation), opening the session first when no input has yet: the
 * scope is what the first input would have built. Completion never breaks
 * the prompt: where the scope cannot be built, it offers nothing, and the
 * next input reports the failure as its run's error.
 */
registerCompleter(async (id, line) => {
  try {
    return (sessions.get(id) ?? (await openForCompletion(id))).complete(line);
  } catch (error) {
    // Anything thrown, from this realm or the session's (a value the input made): a Tab press never ends the session.
    void error;
    return [[], line];
  }
});

/*
 * The session's evaluator (with acorn, which parses each input) loads with
 * the first input or completion: the admin function of a stage whose
 * console is off, and every run of another task, never load it.
 */
async function sessionClass(): Promise<typeof ConsoleSession> {
  return (await import('./console-session.js')).ConsoleSession;
}

async function openForCompletion(id: string): Promise<ConsoleSession> {
  const ConsoleSession = await sessionClass();
  const config = await loadConfig({ maxAgeSeconds: 0 });
  const log = createRunLogger({ runId: id, task: CONSOLE_TASK, release: readCnfEnvironment().release ?? 'unknown' }, config.secrets);
  const factory = scopeSource === undefined ? undefined : (await scopeSource()).default;
  const session = new ConsoleSession({
    config: config.values,
    log,
    ...(factory === undefined ? {} : await factory({ config: config.values, log })),
  });
  keep(id, session);
  return session;
}

/**
 * The reserved `cnf:console` task: evaluates one console input in a session
 * whose scope holds the config, the log and what the app's console factory
 * gives (a database handle, its modules). Every evaluation is a run, in the
 * ledger like any other.
 *
 * Sessions persist in two ways. In a process that lives for the whole
 * session (the local stage), everything persists: functions, handles,
 * class instances. Where each evaluation may land on another process (AWS
 * Lambda), the caller sends `state` back each time: the declared variables
 * whose values survive V8 serialization (plain data: numbers, strings,
 * arrays, objects, dates, maps, sets) carry over; the rest (functions,
 * handles) are listed as dropped, to be re-created.
 *
 * Each evaluation sees its own `signal` (aborted when the user interrupts
 * it: pass it on, `fetch(url, { signal })`) and its run's `log`.
 */
function consoleTask(factory: ConsoleScopeFactory | undefined): Task {
  return {
    name: CONSOLE_TASK,
    description: 'Evaluate one console input in the live release (cnf-admin console)',
    args: consoleArgs,
    // The saved variables may hold anything a session read, secrets included: never in the ledger or the log.
    options: { sensitiveArgs: ['state'] },
    async run({ args, config, log, signal }) {
      const input = args as z.output<typeof consoleArgs>;
      const scope = async () => ({ config, log, ...(factory === undefined ? {} : await factory({ config, log })) });
      const ConsoleSession = await sessionClass();
      let session: ConsoleSession;
      if (input.state !== undefined) {
        session = ConsoleSession.restore(await scope(), input.state);
      } else {
        session = sessions.get(input.session) ?? new ConsoleSession(await scope());
        keep(input.session, session);
      }
      const value = await evaluateIn(session, input.code, { signal, log });
      const json = input.json === true ? asJson(value) : undefined;
      const output: ConsoleAnswer = {
        // `undefined` stays plain: the console prints nothing for it, coloured or not.
        result: value === undefined ? 'undefined' : inspect(value, { depth: 4, breakLength: 100, colors: input.colors === true }),
        ...(json === undefined ? {} : { value: json.value }),
        names: session.names(),
        declared: session.declaredNames(),
      };
      if (input.state === undefined) return output;
      const saved = session.save();
      return {
        ...output,
        ...(saved.state === undefined ? {} : { state: saved.state }),
        dropped: saved.dropped,
        members: session.scopeMembers(),
      };
    },
  };
}

/**
 * Evaluates one input. An input that a SIGINT broke off (`while (true) {}`,
 * which only the session's `breakOnSigint` can stop) is stopped as any run
 * the user interrupts: the SIGINT the break consumed is handed on to the
 * process's own handlers, which fire the run's signal, and the run ends with
 * 130. The session and its bindings stay.
 */
async function evaluateIn(session: ConsoleSession, code: string, bindings: { signal: AbortSignal; log: unknown }): Promise<unknown> {
  try {
    return await session.evaluate(code, bindings);
  } catch (error) {
    if (codeOf(error) === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') {
      process.emit('SIGINT', 'SIGINT');
      if (bindings.signal.aborted) throw bindings.signal.reason;
    }
    throw withDatabaseDetails(error);
  }
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** A value as JSON data, or undefined when JSON cannot hold it (`{ value: undefined }` for `undefined` itself). */
function asJson(value: unknown): { readonly value: unknown } | undefined {
  try {
    const text = JSON.stringify(value);
    return { value: text === undefined ? undefined : (JSON.parse(text) as unknown) };
  } catch (error) {
    // A BigInt or a cycle: the value's text (`result`) is all there is.
    void error;
    return undefined;
  }
}

export { consoleTask, registerConsoleScope };
