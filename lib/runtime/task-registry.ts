import * as z from 'zod';
import type { TaskInfo } from '../core/task-catalog.js';
import type { Task } from './define-task.js';
import { ModuleLoadError } from './module-load-error.js';

/**
 * The tasks of an application, each loaded only when it runs, so that one
 * task's dependencies cost nothing to the others (nor to the web function).
 *
 * @example
 * const tasks: TaskLoaders = { migrate: () => import('./tasks/migrate.js') };
 */
type TaskLoaders = Readonly<Record<string, () => Promise<{ readonly default: Task<z.ZodType> }>>>;

/**
 * The loader registered as `name`, or undefined. Only the registry's own
 * entries count: a name the user typed, such as `constructor` or
 * `__proto__`, never reaches the object's prototype.
 */
function taskLoader(loaders: TaskLoaders, name: string): TaskLoaders[string] | undefined {
  if (!Object.hasOwn(loaders, name)) return undefined;
  const loader = loaders[name];
  return typeof loader === 'function' ? loader : undefined;
}

/** Whether a task is registered as `name` (an own entry of the registry). */
function hasTask(loaders: TaskLoaders, name: string): boolean {
  return taskLoader(loaders, name) !== undefined;
}

/**
 * Loads the task registered as `name`, checking that its definition carries
 * the same name.
 *
 * @throws TypeError when no task is registered as `name`, or the module's default export is not a task named `name`.
 */
async function loadTask(loaders: TaskLoaders, name: string): Promise<Task<z.ZodType>> {
  const loader = taskLoader(loaders, name);
  if (loader === undefined) throw new TypeError(`No task is registered as ${JSON.stringify(name)}`);
  const task = (await loader()).default;
  if (task?.name !== name || typeof task.run !== 'function') {
    // Say which part is wrong: the name, or a default export that is no task at all (no run function).
    const got =
      typeof task !== 'object' || task === null
        ? `its default export is ${task === null ? 'null' : typeof task}`
        : typeof task.run !== 'function'
          ? `its default export has no run function (made without defineTask?)`
          : `its default export is named ${JSON.stringify(task.name)}`;
    throw new TypeError(
      `The module registered as task ${JSON.stringify(name)} must default-export defineTask({ name: ${JSON.stringify(name)}, run, ... }); ${got}`,
    );
  }
  return task;
}

/**
 * Loads the module of the task registered as `name`, if one is, ahead of its
 * run: a module imports once, so the run's own load then finds it loaded.
 * A failure is the run's to report (its load fails the same way), not this
 * warm-up's.
 */
async function preloadTask(loaders: TaskLoaders, name: string): Promise<void> {
  try {
    await taskLoader(loaders, name)?.();
  } catch {
    // The run's own load fails the same way, and reports it.
  }
}

/** Describes one task for the catalog: its args become JSON Schema. */
function describeTask(task: Task<z.ZodType>): TaskInfo {
  return {
    name: task.name,
    description: task.description,
    args: z.toJSONSchema(task.args, { io: 'input', unrepresentable: 'any' }) as TaskInfo['args'],
    ...(task.options.timeoutSeconds === undefined ? {} : { timeoutSeconds: task.options.timeoutSeconds }),
    lock: task.options.lock === true,
    ...(task.options.sensitiveArgs === undefined || task.options.sensitiveArgs.length === 0
      ? {}
      : { sensitiveArgs: task.options.sensitiveArgs }),
    ...(task.options.permissions === undefined ? {} : { permissions: task.options.permissions }),
    ...(task.options.runtime === undefined || task.options.runtime === 'lambda' ? {} : { runtime: task.options.runtime }),
  };
}

/**
 * Describes every registered task, sorted by name. This loads
 * every task module, so it runs at build time (for the bundle's manifest) and
 * for `cnf:describe`, never on a task's own run.
 *
 * @throws ModuleLoadError naming the first task whose module fails to load.
 */
async function describeTasks(loaders: TaskLoaders): Promise<TaskInfo[]> {
  const names = Object.keys(loaders).sort();
  const tasks: TaskInfo[] = [];
  for (const name of names) {
    try {
      tasks.push(describeTask(await loadTask(loaders, name)));
    } catch (error) {
      throw new ModuleLoadError(`Task ${JSON.stringify(name)}`, error);
    }
  }
  return tasks;
}

export { describeTask, describeTasks, hasTask, loadTask, preloadTask };
export type { TaskLoaders };
