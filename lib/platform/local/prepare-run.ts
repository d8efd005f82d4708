import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ALIAS, type ReleaseTarget } from '../../core/platform.js';
import type { Project } from '../../core/project.js';
import { isReleaseId } from '../../core/release.js';
import { readAliases } from './alias-store.js';
import { adminEnvironment, LOCAL_FUNCTION_TIMEOUT_SECONDS } from './lambda-environment.js';
import { bundleDir, localPaths } from './local-paths.js';
import { loadInStandbyRunner, standbyAwaitsRelease } from './standby-runner.js';

/**
 * Has the standby runner that waits for this command's run, if one does
 * (`standby-runner.ts`), load the release a run of `target` will most likely
 * use, and the module of `task` in it: the release the live pair's admin
 * alias points at, or the one `--release` names. A guess made before the
 * stage is checked, as Lambda's init loads a function before its first
 * event: a run that ends up with another release (the working tree was
 * deployed first, say) lets that runner go. A release that is not there is
 * the plan's to refuse, not the runner's to load.
 *
 * It only reads, small modules and files, so that the CLI can call it before
 * it loads the rest of `invoke`: the release then loads while it does.
 */
async function prepareLocalRun(project: Pick<Project, 'app' | 'stateDir'>, target: ReleaseTarget, task: string): Promise<void> {
  if (!standbyAwaitsRelease()) return;
  const paths = localPaths(project);
  const release = target.release ?? (await readAliases(paths))[target.alias ?? DEFAULT_ALIAS]?.admin;
  if (release === undefined || !isReleaseId(release)) return;
  const dir = bundleDir(paths, release);
  if (!existsSync(join(dir, 'admin.mjs'))) return;
  loadInStandbyRunner(dir, adminEnvironment(project.app, paths, release, dir, LOCAL_FUNCTION_TIMEOUT_SECONDS), task);
}

export { prepareLocalRun };
