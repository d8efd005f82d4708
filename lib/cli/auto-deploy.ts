import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { notAScriptMessage, taskInCatalog } from '../core/task-lookup.js';
import { DEFAULT_ALIAS } from '../core/platform.js';
import { prunedReleasesNotice } from '../core/release.js';
import type { LocalDeployOptions, LocalStageCapability } from '../core/platform-capabilities.js';
import type { Stage } from '../core/stage.js';
import { describeFiles, type WorkingTreeDifference } from '../core/working-tree-difference.js';
import { isAdminFunctionTask, isScriptPath, scriptFileOf, type TaskCatalog } from '../core/task-catalog.js';
import { assertScriptOnDisk } from './script-on-disk.js';
import { unlistedTaskRefusal } from './unlisted-task.js';
import { scriptWrittenAsTaskHint } from './script-written-as-task.js';
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
  if (facts.dryRun === true || !(await checkoutRuns(facts))) return false;
  return (await facts.workingTree())?.differs === true;
}

/**
 * Whether the command runs the checkout, as it is or deployed first: the
 * local stage with `autoDeploy` on, the live pair (no `--release`, no other
 * alias pair), and no rollback holding the stage. A dry run plans on the
 * same.
 */
async function checkoutRuns(facts: Omit<WorkingTreeFacts, 'workingTree' | 'dryRun'>): Promise<boolean> {
  if (facts.stage.platform !== 'local' || facts.stage.autoDeploy === false) return false;
  if (facts.release !== undefined || (facts.alias ?? DEFAULT_ALIAS) !== DEFAULT_ALIAS) return false;
  return (await facts.heldByRollback?.()) === undefined;
}

/**
 * The check a deploy before a run makes of the release it built, before the
 * live pair moves: that the release has the task. A typo (`invoke migrat`)
 * then moves nothing, and says the release was built but not made live.
 */
function taskCheck(context: StageContext, task: string | undefined): ((release: string) => Promise<void>) | undefined {
  if (task === undefined || isAdminFunctionTask(task)) return undefined;
  return async (release) => {
    // Its catalog only: with the live config, so that a release whose pinned config is gone is no refusal here.
    const catalog = await context.platform.catalog(await context.platform.resolve({ release, config: 'current' }));
    try {
      taskInCatalog(catalog, release, task);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      // Built from the tree, so a script on disk that the catalog lacks is a module the scripts import.
      const notAScript = isScriptPath(task) && existsSync(join(context.project.scriptsDir, scriptFileOf(task)));
      // A module that defines the task, written and not listed: the hint names it, so the message says no more of how to write one.
      const unlisted = unlistedTaskRefusal(context.project, task, error.message);
      const refused = notAScript ? notAScriptMessage(task) : unlisted.message;
      throw new UsageError(
        `${refused} The working tree was built as ${release}, which is kept; web:${DEFAULT_ALIAS} and admin:${DEFAULT_ALIAS} did not move to it.`,
        {
          hint:
            unlisted.hint ??
            scriptWrittenAsTaskHint(context.project, task) ??
            `See the tasks of the working tree with: cnf-admin tasks --release ${release} --stage ${context.stage.name}`,
        },
      );
    }
  };
}

/**
 * Deploys the working tree to the local stage first when
 * {@link shouldDeployWorkingTree} says so, and says so in one line.
 *
 * With `signal`, an interrupt stops the build and moves nothing (it throws
 * the deploy's 130, which says so); once the pair moves, the deploy finishes
 * and says so, and the caller, seeing the signal aborted, runs nothing.
 */
async function deployWorkingTreeFirst(
  context: StageContext,
  options: Pick<WorkingTreeFacts, 'release' | 'alias' | 'dryRun'> &
    Pick<LocalDeployOptions, 'signal' | 'onMove'> & {
      /** The task the command runs: a tree whose release lacks it is built, but the live pair does not move to it. */
      readonly task?: string;
    },
): Promise<void> {
  const { stage, progress } = context;
  const { localStage } = context.platform;
  if (localStage === undefined) return;
  let tree: WorkingTreeDifference | undefined;
  const workingTree = async (): Promise<WorkingTreeDifference | undefined> => (tree = await localStage.workingTree(DEFAULT_ALIAS));
  let held: string | undefined;
  const heldByRollback = async (): Promise<string | undefined> => {
    const pin = await localStage.rollbackPin();
    if (pin === undefined) return undefined;
    // A working tree that is the release rolled back to is held back from nothing: no word of it.
    if ((await workingTree())?.differs === true)
      held = `Stage ${stage.name} stays on ${pin.release} (rolled back by run ${pin.runId ?? '?'}) until the next cnf-admin deploy; the working tree is not deployed.`;
    return pin.release;
  };
  // Where the checkout is what runs, a script that is not on disk is a typo or a file not written yet: said so before anything.
  if (options.task !== undefined && isScriptPath(options.task) && (await checkoutRuns({ ...options, stage, heldByRollback })))
    assertScriptOnDisk(context.project, options.task);
  const deploy = await shouldDeployWorkingTree({ ...options, stage, workingTree, heldByRollback });
  if (held !== undefined) context.progress.note(held);
  if (!deploy) return;
  const wait = progress.start('Deploying the working tree', { quiet: true });
  try {
    const {
      stored,
      previous,
      added = [],
      pruned,
    } = await localStage.deploy(DEFAULT_ALIAS, {
      check: taskCheck(context, options.task),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onMove === undefined ? {} : { onMove: options.onMove }),
    });
    // A source deleted since the release is one of the files that differ, and one the tree imports since is another: it says so.
    // New files first (a new script, a task the tree imports since): a long list ends in "and N more", and a new one is
    // what the reader looks for.
    const files =
      tree === undefined
        ? undefined
        : [
            ...added.map((file) => `${file} (new)`),
            ...tree.files
              .filter((file) => !added.includes(file))
              .map((file) => (existsSync(join(context.project.root, file)) ? file : `${file} (removed)`)),
          ];
    const changed = files === undefined ? '' : ` (changed: ${describeFiles(files)})`;
    const outcome =
      previous === stored.release
        ? `it builds the same release, ${stored.release}`
        : `release ${stored.release} is live (was ${previous ?? 'none'})`;
    wait.stop('ok', `Deployed the working tree${changed}: ${outcome}.`);
    const prunedNotice = prunedReleasesNotice(pruned);
    if (prunedNotice !== undefined) context.progress.note(prunedNotice);
  } catch (error) {
    wait.stop('fail');
    throw error;
  }
}

/** The working tree a real run would deploy first, as a dry run built it: nothing stored. */
interface DryRunBuild {
  /** The release the tree builds. */
  readonly release: string;
  readonly catalog: TaskCatalog;
  /** The release live now, which the tree differs from; undefined when nothing is deployed yet. */
  readonly live: string | undefined;
  /** The files that differ. */
  readonly files: readonly string[];
}

/**
 * For `--dry-run`: when the real command would deploy the working tree
 * first ({@link shouldDeployWorkingTree}, as if it were no dry run), builds
 * it, storing nothing, so that the dry run checks the run against the
 * release that would run, and refuses as the real command would (a tree
 * that does not build: 65; a task only the tree has is no unknown task).
 * Undefined when the real command would deploy nothing.
 *
 * @throws BuildError when the tree does not build
 */
async function buildWorkingTreeForDryRun(
  context: StageContext,
  options: Pick<WorkingTreeFacts, 'release' | 'alias'>,
): Promise<DryRunBuild | undefined> {
  const { localStage } = context.platform;
  if (localStage === undefined) return undefined;
  // Nothing deployed yet: the real run deploys the tree first whatever else holds; the dry run builds it, as below.
  const first = options.release === undefined && (options.alias ?? DEFAULT_ALIAS) === DEFAULT_ALIAS && (await localStage.nothingDeployed());
  if (first) return buildForDryRun(context, localStage, undefined, []);
  let tree: (WorkingTreeDifference & { readonly release: string }) | undefined;
  const workingTree = async (): Promise<WorkingTreeDifference | undefined> => (tree = await localStage.workingTree(DEFAULT_ALIAS));
  const heldByRollback = async (): Promise<string | undefined> => (await localStage.rollbackPin())?.release;
  const deploy = await shouldDeployWorkingTree({ ...options, dryRun: false, stage: context.stage, workingTree, heldByRollback });
  if (!deploy || tree === undefined) return undefined;
  return buildForDryRun(context, localStage, tree.release, tree.files);
}

/** Builds the working tree for a dry run, storing nothing. */
async function buildForDryRun(
  context: StageContext,
  localStage: LocalStageCapability,
  live: string | undefined,
  files: readonly string[],
): Promise<DryRunBuild> {
  const wait = context.progress.start('Building the working tree (dry run: nothing is stored)', { quiet: true });
  try {
    const built = await localStage.buildWorkingTree();
    wait.stop('ok');
    return { ...built, live, files };
  } catch (error) {
    wait.stop('fail');
    throw error;
  }
}

export { buildWorkingTreeForDryRun, checkoutRuns, deployWorkingTreeFirst, shouldDeployWorkingTree };
export type { DryRunBuild };
export type { WorkingTreeFacts };
