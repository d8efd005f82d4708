/**
 * Whether a deploy of the working tree would change anything on the local
 * stage, found by reading alone: the alias pair, the release record, the
 * working tree's stamps, the bundle's files, the parameter set and the
 * stage's lock. The `deploy` command asks before the local platform loads
 * (`lib/platform/local-early.ts`), the platform's deploy asks again, and a
 * deploy that goes on reads the pair against the tree once more under the
 * stage's lock (`pairAgainstTree`, in `local-deploy.ts`).
 */
import type { LocalDeployment as CoreLocalDeployment } from '../../core/platform-capabilities.js';
import { DEFAULT_ALIAS } from '../../core/platform.js';
import type { Project } from '../../core/project.js';
import { readAliases, type LocalAliasPair } from './alias-store.js';
import { assertLocalStageFree, localRollbackPin } from './local-live-pair.js';
import { LocalParameterStore } from './local-parameters.js';
import { localPaths, type LocalPaths } from './local-paths.js';
import { bundleDamage, readRelease, type StoredRelease } from './release-store.js';
import { workingTreeDifference } from './working-tree.js';

/** What a local deploy did: the core's {@link CoreLocalDeployment}, with the whole stored release. */
interface LocalDeployment extends CoreLocalDeployment {
  readonly stored: StoredRelease;
}

/**
 * The alias pair against the working tree: the pair as it is, the release it
 * runs when that was built from the tree as it is and is whole (for a pair
 * other than live that runs another, the live pair's release when that one
 * was: a deploy then moves the pair to it without a build), and the
 * deployment that changes nothing when no rollback's hold is left to end
 * (an explicit deploy of the tree the pair already runs ends it, which moves
 * the live pair).
 */
async function pairAgainstTree(
  project: Project,
  alias: string,
): Promise<{ current?: LocalAliasPair; unchanged?: StoredRelease; nothingToDo?: LocalDeployment }> {
  const paths = localPaths(project);
  const aliases = await readAliases(paths);
  const current = aliases[alias];
  const unchanged = await unchangedPairRelease(paths, project, current);
  if (unchanged === undefined) {
    // `deploy --alias canary` of the tree that runs live: that release is reused, with nothing to build.
    const live = alias === DEFAULT_ALIAS ? undefined : await unchangedPairRelease(paths, project, aliases[DEFAULT_ALIAS]);
    return { ...(current === undefined ? {} : { current }), ...(live === undefined ? {} : { unchanged: live }) };
  }
  if (alias === DEFAULT_ALIAS && (await localRollbackPin(project)) !== undefined) return { current, unchanged };
  return { current, unchanged, nothingToDo: { stored: unchanged, isNew: false, built: false, previous: unchanged.release, alias } };
}

/** The release a pair runs, when it runs one, built from the working tree as it is, whose bundle is whole. */
async function unchangedPairRelease(
  paths: LocalPaths,
  project: Project,
  pair: LocalAliasPair | undefined,
): Promise<StoredRelease | undefined> {
  if (pair === undefined || pair.web !== pair.admin) return undefined;
  const stored = await readRelease(paths, pair.web);
  if (stored?.sources === undefined || workingTreeDifference(project, stored).differs) return undefined;
  return (await bundleDamage(paths, stored)) === undefined ? stored : undefined;
}

/**
 * The deployment a deploy of the working tree to `alias` is when it changes
 * nothing, or undefined when it has something to write. It changes nothing
 * when the pair runs one release, built from the working tree as it is and
 * whole, the parameter set exists, and no rollback holds the stage (an
 * explicit deploy of the tree the pair already runs ends a rollback's hold,
 * which moves the live pair). It only reads: such a deploy needs neither
 * the stage's lock nor a writable `.cnf/`.
 *
 * @throws TryAgainError (75) when it has nothing to do while another change of the stage (a rollback) holds the stage's lock, as a deploy that takes it would be refused.
 */
async function noChangeDeployment(project: Project, alias: string): Promise<LocalDeployment | undefined> {
  const paths = localPaths(project);
  const { nothingToDo } = await pairAgainstTree(project, alias);
  const parameters = new LocalParameterStore(paths.parameters);
  if (nothingToDo === undefined || !(await parameters.exists())) return undefined;
  await assertLocalStageFree(paths);
  // The live pair runs with the live config, as a deploy that moves it says: `with config vN`, and `config` in --json.
  const config = alias === DEFAULT_ALIAS ? await parameters.live() : undefined;
  return config === undefined ? nothingToDo : { ...nothingToDo, config };
}

export { noChangeDeployment, pairAgainstTree };
export type { LocalDeployment };
