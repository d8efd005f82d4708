import { UsageError } from '../core/errors.js';
import type { InvokePlan, Platform } from '../core/platform.js';
import { flagOf } from '../core/task-arg-flags.js';
import { isScriptPath } from '../core/task-catalog.js';

/** cnf-admin's own flags that choose where an AWS run goes, and that a task may name an arg after too. */
const AWS_FLAGS = ['--region', '--profile'] as const;

/** What a command line gave for one run: the AWS flags before `--`, and the task's args. */
interface GivenFlags {
  readonly task: string;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  /** The task's flags, from after `--`. */
  readonly taskArgs: readonly string[];
  /** The task's args from `--args`. */
  readonly jsonArgs: Readonly<Record<string, unknown>>;
}

/**
 * On an AWS stage, `--region` and `--profile` before `--` choose where the
 * run goes. When the task takes an arg of the same name and the command line
 * gives it neither after `--` nor in `--args`, the user most likely meant the
 * task's: the run would go elsewhere, and the task would run with its
 * default. That is refused before anything runs; giving both (`--region
 * eu-west-1 -- --region us-east-1`) says which is which.
 *
 * Reads the catalog only when such a flag is given, so other runs pay nothing.
 *
 * @throws UsageError (64) naming the flag and how to write it.
 */
async function checkAwsFlagsAreNotTaskArgs(platform: Platform, plan: InvokePlan, given: GivenFlags): Promise<void> {
  const flags = AWS_FLAGS.filter((flag) => (flag === '--region' ? given.region : given.profile) !== undefined);
  if (platform.kind !== 'aws' || flags.length === 0) return;
  const catalog = await platform.catalog(plan);
  const task = [...catalog.tasks, ...catalog.scripts].find((info) => info.name === given.task);
  const keys = Object.keys((task?.args as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
  for (const flag of flags) {
    const key = keys.find((name) => flagOf(name) === flag);
    if (key === undefined || Object.hasOwn(given.jsonArgs, key)) continue;
    if (given.taskArgs.some((word) => word === flag || word.startsWith(`${flag}=`))) continue;
    const command = `cnf-admin ${isScriptPath(given.task) ? 'run' : 'invoke'} ${given.task} --stage ${plan.stage}`;
    throw new UsageError(
      `${flag} before -- is the AWS ${flag.slice(2)} of stage ${plan.stage}, and ${given.task} takes a ${flag} of its own, which is not given; nothing ran.`,
      { hint: `The task's goes after --: ${command} -- ${flag} <value> (both: ${command} ${flag} <aws> -- ${flag} <value>)` },
    );
  }
}

export { checkAwsFlagsAreNotTaskArgs };
export type { GivenFlags };
