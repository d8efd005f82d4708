import * as z from 'zod';
import type { Logger } from '@aws-lambda-powertools/logger';
import { isValidTaskName } from '../core/task-catalog.js';
import { TASK_RUNTIMES, type TaskRuntime } from '../core/task-runtime.js';

/**
 * Options that change how a task runs.
 *
 * @example
 * defineTask({
 *   name: 'reports:build',
 *   description: 'Build the monthly reports',
 *   options: { timeoutSeconds: 600, lock: true, sensitiveArgs: ['apiToken'] },
 *   async run() {},
 * });
 */
interface TaskOptions {
  /**
   * Stop the task after this many seconds (it sees its abort signal fire,
   * and the run ends with exit code 124).
   *
   * @default - the admin function's own timeout
   */
  readonly timeoutSeconds?: number;
  /**
   * Allow at most one run of this task at a time per stage. A second caller
   * gets exit code 75 and learns who holds the lock.
   *
   * @default false
   */
  readonly lock?: boolean;
  /**
   * AWS permissions the task needs beyond the parameter set and the ledger.
   * They travel in the release's catalog, and the CDK construct grants them to
   * the admin function: what a task declares is what the admin function may do.
   *
   * @example [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::notes-exports/*'] }]
   * @default - none
   */
  readonly permissions?: readonly TaskPermission[];
  /**
   * Args whose values never reach the ledger or the log (they are recorded as
   * `[redacted: N characters]`), and that the `ui` form types hidden: tokens,
   * or data that may hold secrets.
   *
   * @default - none beyond those with secret-looking names (`password`, `token`, ...)
   */
  readonly sensitiveArgs?: readonly string[];
  /**
   * Where the task runs on AWS stages: `lambda`, the admin function (at most
   * 15 minutes, so a `timeoutSeconds` above 900 is refused at synth), or
   * `container`, a Fargate task from the same bundle, release, config and
   * ledger, for work that takes longer (a backfill, an index on a big table).
   * `cnf-admin invoke` runs both alike. The local stage runs both as local
   * processes, a container task without Lambda's 15-minute cap.
   *
   * @example { runtime: 'container', timeoutSeconds: 4 * 3600 }
   * @default 'lambda'
   */
  readonly runtime?: TaskRuntime;
}

/**
 * An IAM statement a task needs: these actions on these resources.
 *
 * @example
 * const readExports: TaskPermission = { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::notes-exports/*'] };
 * defineTask({ name: 'notes:import', description: 'Import notes', options: { permissions: [readExports] }, async run() {} });
 */
interface TaskPermission {
  /** The IAM actions, e.g. `s3:GetObject`. */
  readonly actions: readonly string[];
  /** The resource ARNs the actions apply to. */
  readonly resources: readonly string[];
}

/**
 * What a task's `run` receives.
 *
 * @example
 * async run({ args, config, log, signal, remainingTimeMs }: TaskContext<{ days: number }>) {
 *   for (const batch of batches(args.days)) {
 *     if (signal.aborted) return; // timed out or interrupted: stop cleanly
 *     await purge(config.DATABASE_URL, batch);
 *     log.info('Batch done', { left: remainingTimeMs() });
 *   }
 * }
 */
interface TaskContext<Args> {
  /** The args, already validated against the task's schema. */
  readonly args: Args;
  /** The stage's parameter set, read fresh for this run (`DATABASE_URL`, ...). */
  readonly config: Readonly<Record<string, string>>;
  /** A structured logger bound to this run: every line carries run id, task and release. */
  readonly log: Logger;
  /** Fires when the run must stop: at its timeout, or when the user interrupts it. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the run's deadline. */
  remainingTimeMs(): number;
  /** This run's id, e.g. `20261124-143927-k3f9qz`. */
  readonly runId: string;
  /** The release this run runs on. */
  readonly release: string;
  /** The stage this run runs on. */
  readonly stage: string;
  /**
   * The exit code the run ends with when `run` returns: 0..63, like
   * `process.exitCode`. A thrown error always ends the run with 1.
   */
  exitCode: number;
}

/**
 * How a task is written: see `defineTask`.
 *
 * @example
 * const definition: TaskDefinition<typeof args> = {
 *   name: 'seed',
 *   description: 'Insert sample notes',
 *   args: z.strictObject({ count: z.number().int().min(1).default(10) }),
 *   async run({ args }) {
 *     return { inserted: args.count };
 *   },
 * };
 * export default defineTask(definition);
 */
interface TaskDefinition<Schema extends z.ZodType> {
  /** The name callers use: lower-case words separated by `:`, e.g. `notes:purge`. */
  readonly name: string;
  /** One line for `cnf-admin tasks` and the Lambda console. */
  readonly description: string;
  /**
   * The args schema. Prefer `z.strictObject` so that a mistyped flag is an
   * error instead of being ignored.
   *
   * @default - no args: `z.strictObject({})`
   */
  readonly args?: Schema;
  /** @default - no timeout shorter than the function's, no lock */
  readonly options?: TaskOptions;
  /** Does the work. A returned value becomes the run result's `output`. */
  run(context: TaskContext<z.output<Schema>>): Promise<unknown>;
}

/**
 * A defined task, as the admin handler runs it.
 *
 * @example
 * // lambda/tasks/migrate.ts: the module's default export is the Task
 * const task: Task = defineTask({ name: 'migrate', description: 'Apply migrations', async run() {} });
 * export default task;
 */
interface Task<Schema extends z.ZodType = z.ZodType> extends TaskDefinition<Schema> {
  /** The args schema; `z.strictObject({})` when the definition has none. */
  readonly args: Schema;
  /** The task's options; `{}` when the definition has none. */
  readonly options: TaskOptions;
}

/* The keys of a task definition, and of its options (each type's every key, or it does not compile): an option given at the top is refused, naming where it goes. */
const DEFINITION_KEYS: ReadonlySet<string> = new Set(
  Object.keys({ name: true, description: true, args: true, run: true, options: true } satisfies Record<
    keyof TaskDefinition<z.ZodType>,
    true
  >),
);
const OPTION_KEYS: ReadonlySet<string> = new Set(
  Object.keys({ timeoutSeconds: true, lock: true, permissions: true, sensitiveArgs: true, runtime: true } satisfies Record<
    keyof TaskOptions,
    true
  >),
);

/**
 * Defines an admin task: a name, a description, an args schema, options,
 * and the work itself.
 *
 * @example
 * export default defineTask({
 *   name: 'notes:purge',
 *   description: 'Delete notes older than N days',
 *   args: z.strictObject({ olderThanDays: z.number().int().min(1) }),
 *   async run({ args, log }) {
 *     log.info('Purging', { olderThanDays: args.olderThanDays });
 *   },
 * });
 *
 * @throws TypeError when the name or the options are malformed.
 */
function defineTask<Schema extends z.ZodType = z.ZodObject<{}>>(definition: TaskDefinition<Schema>): Task<Schema> {
  if (!isValidTaskName(definition.name)) {
    throw new TypeError(
      `Task name must be lower-case words separated by ':' and outside the reserved 'cnf:' namespace, got: ${JSON.stringify(definition.name)}`,
    );
  }
  const misplaced = Object.keys(definition).find((key) => !DEFINITION_KEYS.has(key));
  if (misplaced !== undefined) {
    // An option at the top (`sensitiveArgs: [...]`) would be ignored without a word: a sensitive arg then shows in the ledger.
    const where = OPTION_KEYS.has(misplaced)
      ? `${misplaced} is an option: give it under options, e.g. options: { ${misplaced}: ... }`
      : `a definition takes ${[...DEFINITION_KEYS].join(', ')}`;
    throw new TypeError(`Task ${definition.name}: unknown key ${JSON.stringify(misplaced)}; ${where}.`);
  }
  const timeout = definition.options?.timeoutSeconds;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
    throw new TypeError(`Task ${definition.name}: options.timeoutSeconds must be a positive number, got: ${timeout}`);
  }
  const runtime = definition.options?.runtime;
  if (runtime !== undefined && !TASK_RUNTIMES.includes(runtime)) {
    throw new TypeError(
      `Task ${definition.name}: options.runtime must be one of ${TASK_RUNTIMES.join(', ')}, got: ${JSON.stringify(runtime)}`,
    );
  }
  for (const permission of definition.options?.permissions ?? []) {
    if (permission.actions.length === 0 || permission.resources.length === 0) {
      throw new TypeError(`Task ${definition.name}: each permission needs actions and resources, got: ${JSON.stringify(permission)}`);
    }
  }
  return {
    ...definition,
    args: definition.args ?? (z.strictObject({}) as unknown as Schema),
    options: definition.options ?? {},
  };
}

export { defineTask };
export type { Task, TaskContext, TaskDefinition, TaskOptions, TaskPermission };
