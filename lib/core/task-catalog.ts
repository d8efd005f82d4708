import type { TaskRuntime } from './task-runtime.js';

/**
 * A JSON Schema document, as `z.toJSONSchema` writes it.
 *
 * @example
 * const args: JsonSchema = z.toJSONSchema(z.strictObject({ olderThanDays: z.number().int().min(1) }));
 */
type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * What the catalog says of one task: enough to validate and document a call.
 *
 * @example
 * const info: TaskInfo = {
 *   name: 'notes:purge',
 *   description: 'Delete notes older than N days',
 *   args: { type: 'object', properties: { olderThanDays: { type: 'integer', minimum: 1 } }, required: ['olderThanDays'] },
 *   lock: false,
 * };
 */
interface TaskInfo {
  /** The task's name, or a script's path (`scripts/fix-bad-records.ts`). */
  readonly name: string;
  /** The task's one-line description. */
  readonly description: string;
  /** The task's args as JSON Schema (draft 2020-12). */
  readonly args: JsonSchema;
  /** The task's timeout in seconds, when it sets one shorter than the function's. */
  readonly timeoutSeconds?: number;
  /** Whether at most one run of the task may go on at a time per stage. */
  readonly lock: boolean;
  /** The args the task declares sensitive (`sensitiveArgs`): recorded redacted, and typed hidden in the `ui` form. */
  readonly sensitiveArgs?: readonly string[];
  /** AWS permissions the task declares, which the construct grants to the admin function. */
  readonly permissions?: readonly { readonly actions: readonly string[]; readonly resources: readonly string[] }[];
  /** Where the task runs on AWS, when not on Lambda: `container` (a Fargate task). */
  readonly runtime?: TaskRuntime;
}

/**
 * The catalog of a release's tasks: the bundle's `manifest.json`, and what the
 * reserved `cnf:describe` task answers.
 *
 * @example
 * const catalog: TaskCatalog = await handler.describe();
 * for (const task of catalog.tasks) console.log(`${task.name}: ${task.description}`);
 */
interface TaskCatalog {
  /** The release's tasks. */
  readonly tasks: readonly TaskInfo[];
  /** The one-time scripts the release carries, each named by its path (`scripts/fix-bad-records.ts`). */
  readonly scripts: readonly TaskInfo[];
}

/** The prefix of task names reserved for cnf-admin itself. */
const RESERVED_TASK_PREFIX = 'cnf:';

/** The reserved task that answers the release's {@link TaskCatalog}. */
const DESCRIBE_TASK = 'cnf:describe';

/** The reserved task that does nothing but report the release it ran on. */
const PING_TASK = 'cnf:ping';

/** The reserved task that evaluates one `cnf-admin console` input. */
const CONSOLE_TASK = 'cnf:console';

/**
 * The reserved task that stops a container run (`cnf-admin stop`): the admin
 * function finds the run's ECS task in the ledger and stops it, naming the caller.
 */
const STOP_RUN_TASK = 'cnf:stop';

/**
 * The reserved task that records the end of a container run whose task
 * stopped without recording it (out of memory, an image that cannot be
 * pulled): the admin function asks ECS, and writes what it says to the ledger.
 */
const SETTLE_RUN_TASK = 'cnf:settle';

/** The reserved tasks the admin function answers itself; any other `cnf:` name is no task of a release. */
const ADMIN_FUNCTION_TASKS: readonly string[] = [DESCRIBE_TASK, PING_TASK, CONSOLE_TASK, STOP_RUN_TASK, SETTLE_RUN_TASK];

/**
 * Whether `name` is a reserved task the admin function answers (`cnf:ping`, `cnf:console`, ...).
 *
 * @example
 * isAdminFunctionTask('cnf:ping'); // true
 * isAdminFunctionTask('cnf:rollback'); // false: the CLI's own record of a rollback, no task to invoke
 */
function isAdminFunctionTask(name: string): boolean {
  return ADMIN_FUNCTION_TASKS.includes(name);
}

/** Where a release's scripts are, in its catalog's names: `scripts/<file>.ts`, whatever the project's scripts directory. */
const SCRIPTS_IN_RELEASE = 'scripts/';

const SCRIPT_PATH_PATTERN = /^scripts\/(?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_.-]+\.ts$/;

/**
 * A script's path inside the project's scripts directory, from its name in
 * a release (`scripts/fix/a.ts` → `fix/a.ts`).
 *
 * @example
 * scriptFileOf('scripts/fix-bad-records.ts'); // 'fix-bad-records.ts'
 */
function scriptFileOf(name: string): string {
  return name.slice(SCRIPTS_IN_RELEASE.length);
}

/**
 * A file of the project's scripts directory by its name in a release
 * (`fix.ts` → `scripts/fix.ts`), `/` between directories.
 *
 * @example
 * scriptNameOf('fix/a.ts'); // 'scripts/fix/a.ts'
 */
function scriptNameOf(file: string): string {
  return `${SCRIPTS_IN_RELEASE}${file}`;
}

/**
 * Whether `name` is a script's path as `cnf-admin run` takes it: a `.ts`
 * file under `scripts/`, without `..`.
 *
 * @example
 * isScriptPath('scripts/fix-bad-records.ts'); // true
 */
function isScriptPath(name: string): boolean {
  return SCRIPT_PATH_PATTERN.test(name) && !name.split('/').includes('..');
}

const TASK_NAME_PATTERN = /^[a-z][a-z0-9-]*(:[a-z][a-z0-9-]*)*$/;

/**
 * Whether `name` may name an application task: lower-case words of letters,
 * digits and `-`, separated by `:` (`migrate`, `notes:purge`), and not in the
 * reserved `cnf:` namespace.
 */
function isValidTaskName(name: string): boolean {
  return TASK_NAME_PATTERN.test(name) && !name.startsWith(RESERVED_TASK_PREFIX);
}

export {
  scriptFileOf,
  scriptNameOf,
  SCRIPTS_IN_RELEASE,
  CONSOLE_TASK,
  DESCRIBE_TASK,
  isAdminFunctionTask,
  isScriptPath,
  isValidTaskName,
  PING_TASK,
  RESERVED_TASK_PREFIX,
  SETTLE_RUN_TASK,
  STOP_RUN_TASK,
};
export type { JsonSchema, TaskCatalog, TaskInfo };
