import { inspect } from 'node:util';
import { z } from 'zod';
import type { ConsoleAnswer, ConsoleInput } from '../../core/console-protocol.js';
import { CONSOLE_TASK } from '../../core/task-catalog.js';
import type { Task } from '../define-task.js';
import type { ConsoleScopeFactory } from './define-console.js';
import { ConsoleSession } from './console-session.js';

const consoleArgs = z.strictObject({
  code: z.string().min(1),
  session: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  /** Present when no process outlives an evaluation: the saved variables of the session ('' for none yet). */
  state: z.string().optional(),
}) satisfies z.ZodType<ConsoleInput>;

/* On the local stage one process serves a whole console session, so its sessions live here. */
const sessions = new Map<string, ConsoleSession>();

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
 */
function consoleTask(factory: ConsoleScopeFactory | undefined): Task {
  return {
    name: CONSOLE_TASK,
    description: 'Evaluate one console input in the live release (cnf-admin console)',
    args: consoleArgs,
    // The saved variables may hold anything a session read, secrets included: never in the ledger or the log.
    options: { sensitiveArgs: ['state'] },
    async run({ args, config, log }) {
      const input = args as z.output<typeof consoleArgs>;
      const scope = async () => ({ config, log, ...(factory === undefined ? {} : await factory({ config, log })) });
      let session: ConsoleSession;
      if (input.state !== undefined) {
        session = ConsoleSession.restore(await scope(), input.state);
      } else {
        session = sessions.get(input.session) ?? new ConsoleSession(await scope());
        sessions.set(input.session, session);
      }
      const value = await session.evaluate(input.code);
      const output: ConsoleAnswer = { result: inspect(value, { depth: 4, breakLength: 100 }), names: session.names() };
      if (input.state === undefined) return output;
      const saved = session.save();
      return { ...output, ...(saved.state === undefined ? {} : { state: saved.state }), dropped: saved.dropped } satisfies ConsoleAnswer;
    },
  };
}

export { consoleTask };
