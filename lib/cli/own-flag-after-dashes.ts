import { isScriptPath } from '../core/task-catalog.js';
import { COMMAND_OPTIONS } from './command-options.js';
import { flagWordsOf } from './option.js';

/**
 * What to say when a task (or script) refuses an arg that is a flag of
 * `invoke` (or `run`) itself, written after `--`
 * (`cnf-admin invoke fail -- --mode x --json`): every word after `--` is the
 * task's, so the flag went to the task. Undefined for any other flag, or
 * none. The task's other args are not repeated: one may be a secret.
 *
 * @param unknownArg - the flag the task refused as one it does not take
 * (an `UnknownArgError`'s, or an `InvalidArgs` refusal's `unknownArg`), if any
 * @example
 * ownFlagAfterDashes('fail', '--json');
 * // '--json is a flag of invoke itself, and what follows -- goes to the task: give it before --, e.g. cnf-admin invoke fail --json -- …'
 */
function ownFlagAfterDashes(target: string, unknownArg: string | undefined): string | undefined {
  const command = isScriptPath(target) ? 'run' : 'invoke';
  const own = COMMAND_OPTIONS[command].find((option) => unknownArg !== undefined && flagWordsOf(option).includes(unknownArg));
  if (own === undefined) return undefined;
  // `-s, --stage <name>`: the long form, with what it takes.
  const usage = own.flags.split(', ').at(-1) as string;
  return `${unknownArg} is a flag of ${command} itself, and what follows -- goes to the task: give it before --, e.g. cnf-admin ${command} ${target} ${usage} -- …`;
}

export { ownFlagAfterDashes };
