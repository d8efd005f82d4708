import { findProject } from '../../core/project.js';
import { LocalParameterStore } from './local-parameters.js';
import { localPaths } from './local-paths.js';

/**
 * The secure values of the local stage of the project around `cwd`, for the
 * CLI to mask out of an error it prints (a secret typed where a key, a
 * stage or a release id was expected is not printed back). None where
 * there is no project or no parameter set, or it cannot be read: the error
 * being reported is what the user needs, and it must not fail in turn.
 */
async function localSecureValues(cwd: string): Promise<readonly string[]> {
  try {
    return await new LocalParameterStore(localPaths(findProject(cwd)).parameters).secrets();
  } catch {
    return [];
  }
}

export { localSecureValues };
