import { DEFAULT_ALIAS } from '../core/platform.js';
import type { Stage } from '../core/stage.js';
import { describeFiles, type WorkingTreeDifference } from '../core/working-tree-difference.js';
import type { StageContext } from './stage-context.js';

/** What decides whether a command deploys the working tree before it runs. */
interface WorkingTreeFacts {
  readonly stage: Stage;
  /** `--release`, when the command pins one: it runs that release, whatever the tree holds. */
  readonly release?: string;
  /** `--alias`: only the default pair follows the working tree. */
  readonly alias?: string;
  /** `--dry-run`: nothing changes. */
  readonly dryRun?: boolean;
  /** How the tree stands against the pair's release (undefined: nothing deployed yet); asked only when the rest allows a deploy. */
  readonly workingTree: () => Promise<WorkingTreeDifference | undefined>;
  /** The release a rollback holds the stage on until the next explicit `deploy` (undefined: none); asked before the tree. */
  readonly heldByRollback?: () => Promise<string | undefined>;
}

/**
 * The one place that decides whether `invoke`, `run` and `console` deploy
 * the working tree first: locally the checkout is the release. Only on the
 * local stage, unless its `autoDeploy` setting is `false`, the command pins a
 * release or another alias pair, or it is a dry run; not while a rollback
 * holds the stage on the release it rolled back to (until the next explicit
 * `deploy`); and only when the tree differs from the live release. (With
 * nothing deployed yet, resolving the release deploys anyway.)
 */
async function shouldDeployWorkingTree(facts: WorkingTreeFacts): Promise<boolean> {
  if (facts.stage.platform !== 'local' || facts.stage.autoDeploy === false) return false;
  if (facts.release !== undefined || (facts.alias ?? DEFAULT_ALIAS) !== DEFAULT_ALIAS || facts.dryRun === true) return false;
  if ((await facts.heldByRollback?.()) !== undefined) return false;
  return (await facts.workingTree())?.differs === true;
}

/**
 * Deploys the working tree to the local stage first when
 * {@link shouldDeployWorkingTree} says so, and says so in one line.
 */
async function deployWorkingTreeFirst(
  context: StageContext,
  options: Pick<WorkingTreeFacts, 'release' | 'alias' | 'dryRun'>,
): Promise<void> {
  const { stage, progress } = context;
  const { localStage } = context.platform;
  if (localStage === undefined) return;
  let tree: WorkingTreeDifference | undefined;
  const workingTree = async (): Promise<WorkingTreeDifference | undefined> => (tree = await localStage.workingTree(DEFAULT_ALIAS));
  let held: string | undefined;
  const heldByRollback = async (): Promise<string | undefined> => {
    const pin = await localStage.rollbackPin();
    held =
      pin === undefined
        ? undefined
        : `Stage ${stage.name} stays on ${pin.release} (rolled back by run ${pin.runId ?? '?'}) until the next cnf-admin deploy; the working tree is not deployed.`;
    return held;
  };
  const deploy = await shouldDeployWorkingTree({ ...options, stage, workingTree, heldByRollback });
  if (held !== undefined) context.progress.note(held);
  if (!deploy) return;
  const wait = progress.start('Deploying the working tree', { quiet: true });
  try {
    const { stored, previous } = await localStage.deploy(DEFAULT_ALIAS);
    const changed = tree === undefined ? '' : ` (changed: ${describeFiles(tree.files)})`;
    const outcome =
      previous === stored.release
        ? `it builds the same release, ${stored.release}`
        : `release ${stored.release} is live (was ${previous ?? 'none'})`;
    wait.stop('ok', `Deployed the working tree${changed}: ${outcome}.`);
  } catch (error) {
    wait.stop('fail');
    throw error;
  }
}

export { deployWorkingTreeFirst, shouldDeployWorkingTree };
export type { WorkingTreeFacts };
