import { configVersionLabel, PARAMETER_VERSION_HISTORY } from '../core/config-version.js';
import type { GoneParameter } from '../core/parameter-set.js';

/**
 * What mends a live config version whose values SSM no longer all keeps:
 * each gone key set again (a new config version; `--secure` for a secret),
 * or a config version whose values SSM still keeps made live. Where the gone
 * keys are not known, it says to set each key the config names.
 */
function mendGoneValues(gone: readonly GoneParameter[], stage: string): string {
  const set =
    gone.length === 0
      ? `Set each key it names again: cnf-admin config set KEY --stage ${stage}`
      : `Set ${gone.length === 1 ? 'it' : 'each'} again: ${gone.map(({ key, secure }) => `cnf-admin config set ${key}${secure ? ' --secure' : ''} --stage ${stage}`).join('; ')}`;
  return `${set}. Or go back to a config version whose values SSM still keeps: cnf-admin config rollback vN --stage ${stage} (config history marks those RESTORABLE yes).`;
}

/**
 * What is wrong when the live config version names values SSM no longer
 * keeps, and what to do ({@link mendGoneValues}).
 */
function goneValuesProblem(gone: readonly GoneParameter[], stage: string): { message: string; hint: string } {
  const one = gone.length === 1;
  const keys = gone.map(({ key }) => key);
  const names = one ? keys.join('') : `${keys.slice(0, -1).join(', ')} and ${keys.at(-1) ?? ''}`;
  const kept = `SSM keeps the last ${PARAMETER_VERSION_HISTORY} versions of a parameter, and none of a deleted one`;
  const named = one
    ? `version ${(gone[0] as GoneParameter).gone.version} of its parameter, which SSM no longer keeps (${kept})`
    : `versions of their parameters that SSM no longer keeps (${gone.map(({ key, gone: { version } }) => `${key}: version ${version}`).join(', ')}; ${kept})`;
  const config = configVersionLabel((gone[0] as GoneParameter).gone.config);
  return {
    message: `The value${one ? '' : 's'} of ${names} ${one ? 'is' : 'are'} gone from SSM: config ${config}, which is live, names ${named}.`,
    hint: mendGoneValues(gone, stage),
  };
}

export { goneValuesProblem, mendGoneValues };
