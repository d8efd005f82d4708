import { isCnfError } from '../core/errors.js';
import { DEFAULT_ALIAS } from '../core/platform.js';
import { findProject } from '../core/project.js';
import { flagUsages } from '../core/task-arg-flags.js';
import type { TaskInfo } from '../core/task-catalog.js';
import { localReleaseCatalog } from '../platform/open-platform.js';

/** Help examples written with the project's own tasks and scripts. */
interface ProjectExamples {
  /** The release whose catalog they come from. */
  readonly release: string;
  /** `invoke` lines: each task with its required flags, and one with all of them. */
  readonly invoke: readonly string[];
  /** `run` lines: the release's scripts. */
  readonly run: readonly string[];
}

/* Enough lines to show the shape; `cnf-admin tasks` lists them all. */
const MAX_EXAMPLES = 3;

/**
 * Examples for `--help` from the project's own catalog: the tasks and
 * scripts of the release behind the local stage's `live` alias pair. Read
 * only when help is asked for, and only from local state (nothing is built
 * or started); undefined outside a project or before its first deploy, when
 * help keeps its generic examples.
 *
 * @example
 * await projectExamples('/work/shop'); // { release: 'r-…', invoke: ['cnf-admin invoke reindex -- --batch-size <integer>'], run: [] }
 */
async function projectExamples(cwd: string): Promise<ProjectExamples | undefined> {
  try {
    const stored = await localReleaseCatalog(findProject(cwd), DEFAULT_ALIAS);
    if (stored === undefined) return undefined;
    const { release } = stored;
    const tasks = stored.catalog.tasks.filter((task) => !task.name.startsWith('cnf:'));
    return {
      release,
      invoke: tasks.slice(0, MAX_EXAMPLES).map(invokeLine),
      run: stored.catalog.scripts.slice(0, MAX_EXAMPLES).map((script) => `cnf-admin run ${script.name}`),
    };
  } catch (error) {
    // No project here, or local state help cannot read: help is still help, with its generic examples.
    if (isCnfError(error)) return undefined;
    throw error;
  }
}

/** `cnf-admin invoke <task> [-- <its required flags, or all when none is required>]`. */
function invokeLine(task: TaskInfo): string {
  const usages = flagUsages(task);
  const shown = usages.some((usage) => usage.required) ? usages.filter((usage) => usage.required) : usages;
  const flags = shown.map((usage) => usage.usage).join(' ');
  return flags === '' ? `cnf-admin invoke ${task.name}` : `cnf-admin invoke ${task.name} -- ${flags}`;
}

export { projectExamples };
export type { ProjectExamples };
