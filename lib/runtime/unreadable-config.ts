import { sentenceEnded } from '../core/errors.js';
import type { RunError } from '../core/run.js';
import type { ConfigError } from './config-loader.js';
import { isAccessDeniedName } from './aws-error-names.js';
import { runErrorOf } from './run-task.js';

/** Whether `error` or a cause of it is AWS's refusal of a call the admin function's role may not make. */
function isDenied(error: unknown): boolean {
  for (let at: unknown = error; at instanceof Error; at = at.cause) {
    if (isAccessDeniedName(at.name) || /not authorized to perform/i.test(at.message)) return true;
  }
  return false;
}

/**
 * What to do about a parameter set a run could not read, for the user who
 * reads the run's error: a permission the admin function's role lacks; a
 * value SSM no longer keeps, or a config version the stage does not have
 * (config history, config set, config rollback); else the stage's config to
 * look at.
 */
function unreadableConfigRemedy(error: ConfigError, stage: string | undefined): string {
  const flag = stage === undefined ? '' : ` --stage ${stage}`;
  if (isDenied(error))
    return "The admin function's role may not read the stage's parameters: deploy the stage again (its stack grants that), or grant the role the permission AWS names; then run the task again.";
  if (error.versionUnreadable)
    return `See which config versions are whole with: cnf-admin config history${flag} (RESTORABLE yes); set a gone value again with cnf-admin config set KEY${flag}, or make a whole version live with cnf-admin config rollback vN${flag}; then run the task again.`;
  return `See the stage's config with: cnf-admin config list${flag}; mend it, then run the task again.`;
}

/**
 * The error a run ends with when its parameter set could not be read: the
 * ConfigError's words, its last sentence ended, and what to do
 * ({@link unreadableConfigRemedy}), unless they name what to run already.
 * Without the stage's name (`stage` undefined) the commands name none.
 */
function unreadableConfigError(error: ConfigError, stage: string | undefined): RunError {
  const described = runErrorOf(error);
  // A message that names what to run says what to do already.
  if (/\bcnf-admin \w/.test(described.message)) return described;
  return { ...described, message: `${sentenceEnded(described.message)} ${unreadableConfigRemedy(error, stage)}` };
}

export { unreadableConfigError, unreadableConfigRemedy };
