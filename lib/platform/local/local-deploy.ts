import { buildBundle } from '../../bundle/build-bundle.js';
import { describeGitCheckout } from '../../bundle/git-describe.js';
import { sourceFingerprint } from '../../bundle/source-fingerprint.js';
import { DEFAULT_ALIAS } from '../../core/platform.js';
import type { Project } from '../../core/project.js';
import type { Stage } from '../../core/stage.js';
import { moveAliasPairLocked, readAliases } from './alias-store.js';
import { embeddedDatabasePort, embeddedDatabaseUrl } from './embedded-database.js';
import { LocalParameterStore } from './local-parameters.js';
import { localPaths } from './local-paths.js';
import { storeRelease, type StoredRelease } from './release-store.js';
import { withStateLock } from './state-lock.js';

/** What a local deploy did. */
interface LocalDeployment {
  readonly stored: StoredRelease;
  /** Whether the release was built for the first time (else the same bytes were stored already). */
  readonly isNew: boolean;
  /** The release the alias pair pointed at before, if any. */
  readonly previous: string | undefined;
  readonly alias: string;
}

/**
 * Deploys the working tree to the local stage: builds the bundle, stores it
 * as a release under `.cnf/local/releases/`, and moves the alias pair to it,
 * web and admin together. The first deploy also creates the parameter set,
 * with `DATABASE_URL` (or the project's `databaseUrlVariable`) pointing at the
 * embedded database when the stage has one; every start of it keeps that in sync.
 * A deploy of the `live` pair is recorded as a move of the live pair (with the
 * checkout's git commit), which ends any rollback's hold on the stage.
 */
async function deployLocal(project: Project, stage: Stage, alias: string, who: string): Promise<LocalDeployment> {
  const paths = localPaths(project);
  const [bundle, git] = await Promise.all([buildBundle(project), describeGitCheckout(project.root)]);
  const { stored, isNew } = await storeRelease(paths, bundle, sourceFingerprint(project.root, bundle.inputs));
  const previous = (await readAliases(paths))[alias]?.web;
  const parameters = new LocalParameterStore(paths.parameters, () => who);
  if (!(await parameters.exists())) {
    const databaseUrl = stage.database !== undefined ? embeddedDatabaseUrl(await embeddedDatabasePort(paths)) : undefined;
    await parameters.initialize(
      databaseUrl === undefined ? {} : { [project.databaseUrlVariable]: { value: databaseUrl, secure: false } },
      databaseUrl === undefined ? [] : [project.databaseUrlVariable],
    );
  }
  // The alias pair and the live pair's record move as one step, under the state lock.
  await withStateLock(paths.stageDir, async () => {
    await moveAliasPairLocked(paths, alias, stored.release);
    if (alias === DEFAULT_ALIAS)
      await parameters.recordMove(
        { release: stored.release, cause: 'deploy', ...(git === undefined ? {} : { gitSha: git.sha, description: git.description }) },
        true,
      );
  });
  return { stored, isNew, previous, alias };
}

export { deployLocal };
export type { LocalDeployment };
