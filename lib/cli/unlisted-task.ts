import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Project } from '../core/project.js';
import { DEFAULT_ALIAS, type InvokePlan } from '../core/platform.js';
import { DEFAULT_MIGRATE_TASK } from '../core/migrate-task-name.js';
import { listsTaskLoader, taskLoaderEntry } from '../core/task-loader-entry.js';
import { withoutHowToMigrate } from '../core/task-lookup.js';

/** The modules a task may be written in. */
const TASK_MODULE = /\.(ts|mts|js|mjs)$/;

/**
 * What to say when a release has no task `task` but the project's code
 * defines one that the admin entry does not list: a module under
 * `<lambdaDir>/tasks/` whose `defineTask` is named `task` (or, for
 * `migrate`, whose `defineMigrateTask` names no other), written there and
 * never added to `createAdminHandler`'s tasks (a release carries only the
 * tasks its admin entry lists). Undefined when there is no such module, or
 * the admin entry lists it.
 *
 * @example
 * unlistedTaskHint(project, 'report');
 * // "lambda/tasks/report.ts defines task report, which lambda/admin.ts does not list: add report: () => import('./tasks/report.js') to its tasks."
 */
function unlistedTaskHint(project: Pick<Project, 'root' | 'lambdaDir' | 'adminEntry'>, task: string): string | undefined {
  const dir = join(project.lambdaDir, 'tasks');
  if (!existsSync(dir) || !existsSync(project.adminEntry)) return undefined;
  if (listsTaskLoader(readFileSync(project.adminEntry, 'utf8'), task)) return undefined;
  const named = new RegExp(`\\bname\\s*:\\s*(['"\`])${task.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1`);
  const file = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => TASK_MODULE.test(path) && !path.endsWith('.d.ts'))
    .sort()
    .map((path) => join(dir, path))
    .find((path) => {
      const source = readFileSync(path, 'utf8');
      if (source.includes('defineTask') && named.test(source)) return true;
      // defineMigrateTask() is named migrate unless its options name it otherwise.
      return task === DEFAULT_MIGRATE_TASK && source.includes('defineMigrateTask') && !/\bname\s*:/.test(source);
    });
  if (file === undefined) return undefined;
  const from = relative(dirname(project.adminEntry), file).split('\\').join('/');
  const loader = taskLoaderEntry(
    task,
    from.replace(TASK_MODULE, (extension) => (extension.startsWith('.m') ? '.mjs' : '.js')),
  );
  return `${relative(project.root, file)} defines task ${task}, which ${relative(project.root, project.adminEntry)} does not list: add ${loader} to its tasks.`;
}

/**
 * What to say when a release has no task `task` that the checkout's admin
 * entry lists: the release was built from other code (a stage rolled back,
 * an older release named, a tree not yet deployed), and a release of the
 * tree has the task. Undefined when the admin entry lists no such task.
 *
 * @param plan - the refused run's plan: its release, and the alias pair that chose it (none: `--release` did)
 *
 * @example
 * notYetDeployedHint(project, 'report', { stage: 'local', release: 'r-0123456789ab', alias: 'live' });
 * // 'lambda/admin.ts lists task report, but release r-0123456789ab was built without it: deploy the working tree to the pair, cnf-admin deploy --stage local, and run it again.'
 */
function notYetDeployedHint(
  project: Pick<Project, 'root' | 'adminEntry' | 'stages'>,
  task: string,
  plan: Pick<InvokePlan, 'stage' | 'release' | 'alias'>,
): string | undefined {
  const stage = project.stages.get(plan.stage);
  if (stage === undefined || !existsSync(project.adminEntry) || !listsTaskLoader(readFileSync(project.adminEntry, 'utf8'), task))
    return undefined;
  const { release, alias } = plan;
  const lists = `${relative(project.root, project.adminEntry)} lists task ${task}, but release ${release} was built without it`;
  // A release named by id stays what it is: the way on is another release.
  if (alias === undefined) return `${lists}: run a release that has it (without --release, the one web:live serves).`;
  if (stage.platform !== 'local') return `${lists}: deploy the working tree (npx cdk deploy -c stage=${stage.name}) and run it again.`;
  const pair = alias === DEFAULT_ALIAS ? '' : ` --alias ${alias}`;
  return `${lists}: deploy the working tree to the pair, cnf-admin deploy --stage ${stage.name}${pair}, and run it again.`;
}

/**
 * A release's refusal of a task it lacks, as the CLI says it: where the
 * project defines the task in a module the admin entry does not list
 * ({@link unlistedTaskHint}), `hint` names the module and the line to add,
 * and the message says no more of how to write one; where the admin entry
 * lists it and `plan` says which release refused it, that release was not
 * built from the tree ({@link notYetDeployedHint}), and `hint` says what
 * runs it; otherwise the message as it is, with no hint.
 */
function unlistedTaskRefusal(
  project: Pick<Project, 'root' | 'lambdaDir' | 'adminEntry' | 'stages'>,
  task: string,
  message: string,
  plan?: Pick<InvokePlan, 'stage' | 'release' | 'alias'>,
): { readonly message: string; readonly hint?: string } {
  const hint = unlistedTaskHint(project, task) ?? (plan === undefined ? undefined : notYetDeployedHint(project, task, plan));
  return hint === undefined ? { message } : { message: withoutHowToMigrate(message), hint };
}

export { unlistedTaskRefusal };
