/**
 * Which task (or script) of a release's catalog a name names, and the words
 * a release refuses one it lacks with: the admin function's, the CLI's
 * check before an invoke moves the live pair, and its check before a
 * detached or dry run. Apart from the args check (`event-check.ts`), which
 * loads zod's full build: an invoke that only looks a task up loads none of it.
 */
import { didYouMean } from './did-you-mean.js';
import { UsageError } from './errors.js';
import { DEFAULT_MIGRATE_TASK } from './migrate-task-name.js';
import { taskLoaderEntry } from './task-loader-entry.js';
import { isScriptPath, type TaskCatalog, type TaskInfo } from './task-catalog.js';

/* How an app gets a migrate task: what a refusal of `migrate` adds when no task's name is close to it. */
const HOW_TO_MIGRATE = ` To apply SQL migrations, add lambda/tasks/${DEFAULT_MIGRATE_TASK}.ts with export default defineMigrateTask() from cnf-admin/migrations (node_modules/cnf-admin/docs/migrations.md), and list it in the tasks of lambda/admin.ts: ${taskLoaderEntry(DEFAULT_MIGRATE_TASK)}. cnf-admin init --database postgres writes the task, with an embedded PostgreSQL, and says whether admin.ts lists it.`;

/**
 * A release's refusal of a task it lacks (`UnknownTask`), thrown by the
 * CLI's checks against a release's catalog: the CLI tells it from other
 * usage errors by its class, not its words.
 */
class UnknownTaskError extends UsageError {}

/**
 * The message with which a release refuses a task it lacks (`UnknownTask`):
 * the admin function's and the CLI's check before a detached or dry run.
 */
function unknownTaskMessage(name: string, known: readonly string[], release: string): string {
  const sorted = [...known].sort();
  const close = didYouMean(name, sorted);
  // The README's first command: an app set up without a database has no migrate task, and the way to one is not a typo.
  const howToMigrate = name === DEFAULT_MIGRATE_TASK && close === '' ? HOW_TO_MIGRATE : '';
  return `Unknown task ${JSON.stringify(name)}.${close} Tasks in release ${release}: ${sorted.join(', ')}.${howToMigrate}`;
}

/**
 * An unknown-task message without its word on how to add a migrate task:
 * for where the CLI has found the module that defines the task, written
 * and not listed, and says that instead.
 *
 * @example
 * withoutHowToMigrate(unknownTaskMessage('migrate', ['hello'], 'r-0123456789ab'));
 * // 'Unknown task "migrate". Tasks in release r-0123456789ab: hello.'
 */
function withoutHowToMigrate(message: string): string {
  return message.replace(HOW_TO_MIGRATE, '');
}

/** The message with which a release refuses a script it does not carry (`ScriptNotInRelease`). */
function scriptNotInReleaseMessage(name: string, scripts: readonly string[], release: string): string {
  return `${name} is not in release ${release}: a script must ship with a release.${didYouMean(name, scripts)} Commit it under scripts/ and deploy a release (cnf-admin deploy --stage local; on AWS, cdk deploy).`;
}

/** The message with which a release refuses to run a module under scripts/ that is not a script (`NotAScript`). */
function notAScriptMessage(name: string): string {
  return `${name} is not a script: its module default-exports no defineScript({ description, run, ... }) from cnf-admin/runtime, so it is one the scripts import. Run a script that does, or make it one.`;
}

/**
 * The task (or script) `name` of a release's catalog, as the admin function
 * finds it before it runs anything.
 *
 * @throws UnknownTaskError (64) for an unknown task, UsageError (64) for a script the release lacks: with the message the admin function refuses it with.
 */
function taskInCatalog(catalog: TaskCatalog, release: string, name: string): TaskInfo {
  if (isScriptPath(name)) {
    const script = (catalog.scripts ?? []).find((candidate) => candidate.name === name);
    if (script === undefined)
      throw new UsageError(
        scriptNotInReleaseMessage(
          name,
          (catalog.scripts ?? []).map((candidate) => candidate.name),
          release,
        ),
      );
    return script;
  }
  const task = catalog.tasks.find((candidate) => candidate.name === name);
  if (task === undefined)
    throw new UnknownTaskError(
      unknownTaskMessage(
        name,
        catalog.tasks.map((candidate) => candidate.name),
        release,
      ),
    );
  return task;
}

export { notAScriptMessage, scriptNotInReleaseMessage, taskInCatalog, UnknownTaskError, unknownTaskMessage, withoutHowToMigrate };
