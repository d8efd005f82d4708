import { notAScriptMessage, scriptNotInReleaseMessage, unknownTaskMessage } from '../core/task-lookup.js';
import { ExitCode } from '../core/exit-codes.js';
import type { RefusalName } from '../core/refusal.js';
import { CONSOLE_TASK, isScriptPath, type TaskCatalog } from '../core/task-catalog.js';
import { consoleTask } from './console/console-task.js';
import type { ConsoleScopeFactory } from './console/define-console.js';
import type { Task } from './define-task.js';
import { runErrorOf } from './run-task.js';
import { describeScripts, loadScript, scriptPaths } from './script-registry.js';
import { describeTasks, hasTask, loadTask, type TaskLoaders } from './task-registry.js';
import { readCnfEnvironment } from '../core/cnf-environment.js';

/**
 * What an application registers with the admin handler.
 *
 * @example
 * const sources: TaskSources = {
 *   tasks: { migrate: () => import('./tasks/migrate.js') },
 *   console: () => import('./console.js'),
 * };
 * export const handler = createAdminHandler(sources);
 */
interface TaskSources {
  /** The application's tasks, each loaded lazily. */
  readonly tasks: TaskLoaders;
  /**
   * What `cnf-admin console` sees: the app's database handle and modules.
   *
   * @default - the console sees only `config` and `log`
   */
  readonly console?: () => Promise<{ readonly default: ConsoleScopeFactory }>;
}

/** The task an event names, or why there is none to run. */
type Resolution =
  | { readonly ok: true; readonly task: Task }
  | {
      readonly ok: false;
      readonly exitCode: number;
      readonly error: { readonly name: string; readonly message: string };
      /** The error a module threw while loading, with its stack, for the log. */
      readonly cause?: unknown;
    };

/** The bundle's root: where Lambda (and the local stage) unpacked the release. */
function taskRoot(): string {
  return process.env.LAMBDA_TASK_ROOT ?? process.cwd();
}

const refusal = (exitCode: number, name: RefusalName, message: string): Resolution => ({ ok: false, exitCode, error: { name, message } });

/**
 * Finds the task an admin event names: an application task, a script of the
 * release (`scripts/….ts`), or the console (`cnf:console`, only where the
 * stage turned it on). A module that fails to load is the task failing
 * (exit 1); a name the release lacks is a usage error (exit 64).
 */
async function resolveTask(name: string, sources: TaskSources, release: string, stage: string): Promise<Resolution> {
  try {
    if (name === CONSOLE_TASK) {
      if (readCnfEnvironment().consoleEnabled !== true) {
        return refusal(
          ExitCode.NO_PERMISSION,
          'ConsoleDisabled',
          `The console is off on stage ${stage}: it evaluates arbitrary code, so a stage must turn it on (console: true in the construct).`,
        );
      }
      return { ok: true, task: consoleTask(sources.console === undefined ? undefined : (await sources.console()).default) };
    }
    if (isScriptPath(name)) {
      const script = await loadScript(taskRoot(), name);
      if (script === 'not-a-script') return refusal(ExitCode.USAGE, 'NotAScript', notAScriptMessage(name));
      if (script !== 'absent') return { ok: true, task: script };
      return refusal(ExitCode.USAGE, 'ScriptNotInRelease', scriptNotInReleaseMessage(name, scriptPaths(taskRoot()), release));
    }
    if (!hasTask(sources.tasks, name)) {
      return refusal(ExitCode.USAGE, 'UnknownTask', unknownTaskMessage(name, Object.keys(sources.tasks), release));
    }
    return { ok: true, task: await loadTask(sources.tasks, name) };
  } catch (error) {
    return { ok: false, exitCode: ExitCode.TASK_FAILED, error: runErrorOf(error), cause: error };
  }
}

/** The catalog of the release: its tasks and its scripts (loads every module). */
async function describeRelease(sources: TaskSources): Promise<TaskCatalog> {
  return { tasks: await describeTasks(sources.tasks), scripts: await describeScripts(taskRoot()) };
}

export { describeRelease, resolveTask };
export type { Resolution, TaskSources };
