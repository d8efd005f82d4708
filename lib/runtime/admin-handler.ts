import type { RunResult } from '../core/run.js';
import type { TaskCatalog } from '../core/task-catalog.js';
import { AdminRun } from './admin-run.js';
import { registerConsoleScope } from './console/console-task.js';
import type { RunLedger } from './ledger/run-ledger.js';
import { readEvent } from './read-event.js';
import { withResponseStreaming, type ResponseStream } from './response-stream.js';
import { describeRelease, type TaskSources } from './resolve-task.js';
import { preloadTask } from './task-registry.js';

/**
 * The part of the Lambda context the admin handler uses, plus the local stage's interrupt.
 *
 * @example
 * // Lambda passes its context; a test may pass a deadline of its own.
 * await handler({ task: 'migrate' }, { getRemainingTimeInMillis: () => 60_000 });
 */
interface AdminInvocationContext {
  /** The Lambda request id; the run's log location names it. */
  readonly awsRequestId?: string;
  /**
   * Milliseconds left before the function is stopped; the run's deadline comes from it.
   *
   * @default - Lambda's maximum, 15 minutes
   */
  getRemainingTimeInMillis?(): number;
  /** Fires when the user interrupts the run at the terminal (local stage). */
  readonly interrupt?: AbortSignal;
  /**
   * The admin function claimed this run in the ledger for this process (the
   * container runner of a task it started): the handler takes the claim over.
   *
   * @default false
   */
  readonly claimedRun?: boolean;
  /**
   * An interrupt is a stop from outside (SIGTERM, in the container runner):
   * the run ends as that stop was, whatever the task returns after it: 130
   * when the run's record says `cnf-admin stop` asked for it, else 70
   * `TaskInterruptedError` (ECS stopped the task: a Fargate Spot reclaim,
   * maintenance).
   *
   * @default false: the task's own exit code stands when it returns after an interrupt
   */
  readonly stopIsFinal?: boolean;
}

/**
 * Options of {@link createAdminHandler}.
 *
 * @example
 * createAdminHandler({
 *   tasks: { migrate: () => import('./tasks/migrate.js') },
 *   console: () => import('./console.js'),
 * });
 */
interface AdminHandlerOptions extends TaskSources {
  /**
   * The run ledger that records every run and holds the task locks.
   *
   * @default - the ledger the environment names (`CNF_LEDGER_DIR` locally, `CNF_LEDGER_TABLE` on AWS)
   */
  readonly ledger?: RunLedger;
}

/**
 * The admin function's handler; `describe()` builds the task catalog.
 *
 * @example
 * export const handler: AdminHandler = createAdminHandler({ tasks });
 * const result = await handler({ task: 'migrate', args: {} }); // a RunResult, in a test
 * const catalog = await handler.describe(); // what `cnf-admin tasks` lists
 */
interface AdminHandler {
  /** Runs one admin event and answers with its run result (how a test or a non-streaming caller calls it). */
  (event: unknown, context?: AdminInvocationContext): Promise<RunResult>;
  /** How Lambda calls it, with a response stream (see `withResponseStreaming`). */
  (event: unknown, responseStream: ResponseStream, context?: AdminInvocationContext): Promise<void>;
  /** The catalog of the registered tasks (loads every task module). */
  describe(): Promise<TaskCatalog>;
  /**
   * Loads the module of the application task registered as `task` ahead of
   * its run, so that the run starts at once: the local stage's standby
   * runner does while the CLI checks the stage. Scripts and the console are
   * not loaded ahead. It never rejects: a module that fails to load fails
   * its run, when the run comes.
   */
  preload(task: string): Promise<void>;
}

/** The longest a run may take when the context does not say (Lambda's maximum). */
const DEFAULT_TIME_LIMIT_MS = 15 * 60 * 1000;

/*
 * The handler ends the task this long before Lambda would kill the function,
 * so that the run's end is recorded and its result returned.
 */
const SAFETY_MARGIN_MS = 3_000;

/**
 * Builds the admin function's handler from the application's tasks.
 *
 * It implements the admin event and run result contracts: args are validated
 * before anything runs (exit 64, naming the field), a run id is claimed in the
 * ledger exactly once, a locked task takes its lease, the parameter set is
 * read fresh, and the task's outcome becomes the run result.
 *
 * @example
 * export const handler = createAdminHandler({
 *   tasks: { migrate: () => import('./tasks/migrate.js') },
 * });
 */
function createAdminHandler(options: AdminHandlerOptions): AdminHandler {
  // A console session's process can then complete `notes.<Tab>` before its first input.
  if (options.console !== undefined) registerConsoleScope(options.console);
  const handler = async (event: unknown, context: AdminInvocationContext = {}): Promise<RunResult> => {
    const startedAt = Date.now();
    const limit = context.getRemainingTimeInMillis?.() ?? DEFAULT_TIME_LIMIT_MS;
    const run = new AdminRun(readEvent(event), startedAt, startedAt + limit - SAFETY_MARGIN_MS, startedAt + limit, context);
    return run.execute(options);
  };
  return withResponseStreaming(
    Object.assign(handler, { describe: () => describeRelease(options), preload: (task: string) => preloadTask(options.tasks, task) }),
  );
}

export { createAdminHandler };
export type { AdminHandler, AdminHandlerOptions, AdminInvocationContext };
