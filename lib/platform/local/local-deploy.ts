import { describeGitCheckout } from '../../bundle/git-describe.js';
import { stampSources } from '../../bundle/source-fingerprint.js';
import { DEFAULT_ALIAS } from '../../core/platform.js';
import { CnfError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { LocalDeployment as CoreLocalDeployment } from '../../core/platform-capabilities.js';
import { SILENT_PROGRESS, withProgress, type Progress } from '../../core/progress.js';
import type { Project } from '../../core/project.js';
import type { Stage } from '../../core/stage.js';
import { moveAliasPairLocked, readAliases, type LocalAliasPair } from './alias-store.js';
import { embeddedDatabasePort, embeddedDatabaseUrl } from './embedded-database.js';
import { localRollbackPin } from './local-live-pair.js';
import { LocalParameterStore } from './local-parameters.js';
import { localPaths, type LocalPaths } from './local-paths.js';
import { bundleDamage, readRelease, storeRelease, type StoredRelease } from './release-store.js';
import { withStateLock } from './state-lock.js';
import { workingTreeDifference } from './working-tree.js';

/** What a local deploy did: the core's {@link CoreLocalDeployment}, with the whole stored release. */
interface LocalDeployment extends CoreLocalDeployment {
  readonly stored: StoredRelease;
}

/**
 * Deploys the working tree to the local stage: builds the bundle, stores it
 * as a release under `.cnf/local/releases/`, and moves the alias pair to it,
 * web and admin together. When the pair's release was built from the working
 * tree as it is, and is whole, nothing is built. The first deploy also
 * creates the parameter set, with `DATABASE_URL` (or the project's
 * `databaseUrlVariable`) pointing at the embedded database when the stage
 * has one; every start of it keeps that in sync. A deploy of the `live` pair
 * that moves it is recorded as a move of the live pair (with the checkout's
 * git commit), which ends any rollback's hold on the stage.
 *
 * @param who - who deploys, as config versions record it
 * @param progress - told when the bundle is built
 * @param signal - aborted when the user interrupts: the build ends, and nothing moves
 */
async function deployLocal(
  project: Project,
  stage: Stage,
  alias: string,
  who: string,
  progress: Progress = SILENT_PROGRESS,
  signal?: AbortSignal,
): Promise<LocalDeployment> {
  const paths = localPaths(project);
  const { current, unchanged, nothingToDo } = await pairAgainstTree(project, alias);
  const parameters = new LocalParameterStore(paths.parameters, () => who);
  if (!(await parameters.exists())) {
    const databaseUrl = stage.database !== undefined ? embeddedDatabaseUrl(await embeddedDatabasePort(paths)) : undefined;
    await parameters.initialize(
      databaseUrl === undefined ? {} : { [project.databaseUrlVariable]: { value: databaseUrl, secure: false } },
      databaseUrl === undefined ? [] : [project.databaseUrlVariable],
    );
  }
  if (nothingToDo !== undefined) return nothingToDo;
  // A Ctrl-C reaches the bundler's process too (one process group): a build it stopped is the interrupt, not a failure.
  const interrupted = (): CnfError =>
    new CnfError(`Interrupted: the deploy stopped; web:${alias} and admin:${alias} did not move.`, ExitCode.INTERRUPTED, 'user');
  const built =
    unchanged === undefined
      ? await withProgress(progress, 'Building the bundle', () => buildAndStore(paths, project)).catch((error: unknown) => {
          throw signal?.aborted === true ? interrupted() : error;
        })
      : { stored: unchanged, isNew: false, built: false };
  if (signal?.aborted === true) throw interrupted();
  const git = alias === DEFAULT_ALIAS ? await describeGitCheckout(project.root) : undefined;
  // The alias pair and the live pair's record move as one step, under the state lock.
  await withStateLock(paths.stageDir, async () => {
    await moveAliasPairLocked(paths, alias, built.stored.release);
    if (alias === DEFAULT_ALIAS)
      await parameters.recordMove(
        { release: built.stored.release, cause: 'deploy', ...(git === undefined ? {} : { gitSha: git.sha, description: git.description }) },
        true,
      );
  });
  return { ...built, previous: current?.web, alias };
}

/**
 * The deployment a deploy of the working tree to `alias` is when it changes
 * nothing, or undefined when it has something to write. It changes nothing
 * when the pair runs one release, built from the working tree as it is and
 * whole, the parameter set exists, and no rollback holds the stage (an
 * explicit deploy of the tree the pair already runs ends a rollback's hold,
 * which moves the live pair). It only reads: such a deploy needs neither
 * the stage's lock nor a writable `.cnf/`.
 */
async function unchangedDeployment(project: Project, alias: string): Promise<LocalDeployment | undefined> {
  const { nothingToDo } = await pairAgainstTree(project, alias);
  return nothingToDo !== undefined && (await new LocalParameterStore(localPaths(project).parameters).exists()) ? nothingToDo : undefined;
}

/**
 * The alias pair against the working tree: the pair as it is, the release it
 * runs when that was built from the tree as it is and is whole, and the
 * deployment that changes nothing when no rollback's hold is left to end
 * (an explicit deploy of the tree the pair already runs ends it, which moves
 * the live pair).
 */
async function pairAgainstTree(
  project: Project,
  alias: string,
): Promise<{ current?: LocalAliasPair; unchanged?: StoredRelease; nothingToDo?: LocalDeployment }> {
  const paths = localPaths(project);
  const current = (await readAliases(paths))[alias];
  if (current === undefined || current.web !== current.admin) return { ...(current === undefined ? {} : { current }) };
  const unchanged = await unchangedRelease(paths, project, current.web);
  if (unchanged === undefined) return { current };
  if (alias === DEFAULT_ALIAS && (await localRollbackPin(project)) !== undefined) return { current, unchanged };
  return { current, unchanged, nothingToDo: { stored: unchanged, isNew: false, built: false, previous: unchanged.release, alias } };
}

/** The stored release, when it was built from the working tree as it is and its bundle is whole. */
async function unchangedRelease(paths: LocalPaths, project: Project, release: string): Promise<StoredRelease | undefined> {
  const stored = await readRelease(paths, release);
  if (stored?.sources === undefined || workingTreeDifference(project, stored).differs) return undefined;
  return (await bundleDamage(paths, stored, 'content')) === undefined ? stored : undefined;
}

/** Builds the bundle and stores it as a release. */
async function buildAndStore(paths: LocalPaths, project: Project): Promise<{ stored: StoredRelease; isNew: boolean; built: boolean }> {
  // The bundler (esbuild) loads only when a deploy builds.
  const { buildBundle } = await import('../../bundle/build-bundle.js');
  const bundle = await buildBundle(project);
  const { stored, isNew } = await storeRelease(paths, bundle, stampSources(project.root, bundle.inputs));
  return { stored, isNew, built: true };
}

export { deployLocal, unchangedDeployment };
export type { LocalDeployment };
