import { UsageError } from '../core/errors.js';
import type { ConfigChoice, ReleaseTarget } from '../core/platform.js';
import { isReleaseId } from '../core/release.js';
import { CONSOLE_TASK } from '../core/task-catalog.js';
import { checkTaskArgsSize, parseArgsJson } from './args-json.js';
import type { CommandOptions } from './command-options.js';

/** The options of `cnf-admin invoke`: its flags, as they declare them, and its positional arguments. */
type InvokeCommandOptions = CommandOptions<'invoke'> & {
  readonly task: string;
  /** Task args as flags, from after `--`. */
  readonly taskArgs: readonly string[];
};

/** An invoke's input, checked: the args `--args` gives, and what the run is against. */
interface InvokeInput {
  readonly jsonArgs: Readonly<Record<string, unknown>>;
  readonly target: ReleaseTarget;
}

/**
 * Checks what `cnf-admin invoke` is given before anything loads or starts:
 * a task's name (not the console's, which `console` runs), `--release`, `--config` and `--alias` together, and `--args` (JSON, within
 * the limits of task args, with the task's own flags). The command checks
 * with it, and so does its first step (`prepare-invoke.ts`), which loads
 * nothing for input that is wrong.
 *
 * @throws UsageError naming what is wrong.
 */
function checkInvokeInput(options: InvokeCommandOptions): InvokeInput {
  if (options.task.trim() === '')
    throw new UsageError("invoke takes a task's name, got nothing.", { hint: 'See the tasks and their args with: cnf-admin tasks' });
  // The console's task takes a session of inputs, which only `console` holds; invoke would run it with none.
  if (options.task === CONSOLE_TASK)
    throw new UsageError(
      `${CONSOLE_TASK} is the console's own task, which invoke cannot run: the console takes its inputs from a session.`,
      {
        hint: `Open the console with: cnf-admin console${options.stage === undefined ? '' : ` --stage ${options.stage}`} (-e '<code>' evaluates one input)`,
      },
    );
  const target = checkReleaseTarget(options);
  if (options.dryRun === true && options.detach === true) {
    throw new UsageError('--dry-run runs nothing and --detach starts a run; give one of them.', {
      hint: 'See the plan with --dry-run, then start the run with --detach.',
    });
  }
  const jsonArgs = options.args === undefined ? {} : parseArgsJson(options.args);
  checkTaskArgsSize(jsonArgs, options.taskArgs);
  return { jsonArgs, target };
}

/**
 * Refuses a `--release` that is no release id, saying where the ids are.
 *
 * @throws UsageError (64) naming what was given.
 */
function assertReleaseOption(release: string): void {
  if (isReleaseId(release)) return;
  throw new UsageError(`--release takes a release id (r- and 12 hex digits), got: ${JSON.stringify(release)}`, {
    hint: 'List the releases with: cnf-admin releases',
  });
}

/**
 * What a command that runs something (`invoke`, `run`, `console`) runs
 * against, checked as its command line is read: `--release` a release id,
 * `--config` only with it, and not both `--release` and `--alias`.
 *
 * @throws UsageError naming what is wrong.
 */
function checkReleaseTarget(options: {
  readonly release?: string;
  readonly alias?: string;
  readonly config?: ConfigChoice;
}): ReleaseTarget {
  if (options.release !== undefined) assertReleaseOption(options.release);
  if (options.config !== undefined && options.release === undefined) {
    throw new UsageError('--config picks the config of a --release; the live release always runs with the live config.', {
      hint: 'Name the release too (--release r-…; cnf-admin releases lists them), or leave out --config.',
    });
  }
  if (options.release !== undefined && options.alias !== undefined) {
    throw new UsageError('--release and --alias each pick what to run against; give one of them.');
  }
  return {
    ...(options.alias === undefined ? {} : { alias: options.alias }),
    ...(options.release === undefined ? {} : { release: options.release }),
    ...(options.config === undefined ? {} : { config: options.config }),
  };
}

export { assertReleaseOption, checkInvokeInput, checkReleaseTarget };
export type { InvokeCommandOptions, InvokeInput };
