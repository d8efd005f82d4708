import type { RunRecord } from '../../core/run.js';
import { RESERVED_TASK_PREFIX, type TaskCatalog, type TaskInfo } from '../../core/task-catalog.js';
import type { Ability } from './run-stopper.js';

/**
 * The task (or script) a task's page shows: `/tasks/<name>` is addressed by
 * name alone, and shows the live release's task of that name.
 *
 * @example
 * catalogTask(liveCatalog, 'echo'); // echo's TaskInfo, or undefined where the live release has no echo
 */
function catalogTask(liveCatalog: TaskCatalog, name: string): TaskInfo | undefined {
  return [...liveCatalog.tasks, ...liveCatalog.scripts].find((candidate) => candidate.name === name);
}

/**
 * Whether a run's page links to its task's page ({@link catalogTask}), and
 * why not where it does not: a task the live release lacks (removed since
 * the run, or only in a release that is not live) has no page, nor has
 * cnf-admin's own (`cnf:rollback`, `cnf:console`). The run's page then names
 * the task plain, saying why, where a link would lead to "Not found".
 *
 * @param live the live release and its catalog; undefined where they could not be read
 * @example
 * taskPageOf(record, { release: 'r-6765a295784c', catalog }); // { can: false, why: 'The live release r-6765a295784c has no task purge, …' }
 */
function taskPageOf(record: Pick<RunRecord, 'task' | 'release'>, live: { release: string; catalog: TaskCatalog } | undefined): Ability {
  const { task, release } = record;
  if (task.startsWith(RESERVED_TASK_PREFIX)) return { can: false, why: `${task} is cnf-admin's own task, not one of a release.` };
  if (live === undefined)
    return { can: false, why: "The live release's tasks could not be read, and a task's page shows the live release's task." };
  if (catalogTask(live.catalog, task) !== undefined) return { can: true };
  return {
    can: false,
    why: `The live release ${live.release} has no task ${task}, and a task's page shows the live release's task: this run ran it on ${release}.`,
  };
}

export { catalogTask, taskPageOf };
