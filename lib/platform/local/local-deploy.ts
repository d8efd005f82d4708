import { DEPLOY_CAUSE, pinnedConfig } from '../../core/rollback.js';
import { setTimeout as delay } from 'node:timers/promises';
import { describeGitCheckout, type GitDescription } from '../../bundle/git-describe.js';
import { stampSources } from '../../bundle/source-fingerprint.js';
import { DEFAULT_ALIAS } from '../../core/platform.js';
import { BuildStoppedError, CnfError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { SILENT_PROGRESS, withProgress, type Progress } from '../../core/progress.js';
import type { LocalDeployOptions } from '../../core/platform-capabilities.js';
import type { Project } from '../../core/project.js';
import type { Stage } from '../../core/stage.js';
import { moveAliasPairLocked } from './alias-store.js';
import { embeddedDatabasePort, embeddedDatabaseUrl } from './embedded-database.js';
import { rollbackPinOf } from './local-live-pair.js';
import { LocalParameterStore } from './local-parameters.js';
import { localPaths, type LocalPaths } from './local-paths.js';
import { pruneReleases } from './release-pruning.js';
import { readRelease, storeRelease, type StoredRelease } from './release-store.js';
import { withStateLock } from './state-lock.js';
import { changingTogether } from './state-files-together.js';
import { pairAgainstTree, type LocalDeployment } from './unchanged-deployment.js';

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
 * @param interruption - `signal`, aborted when the user interrupts: the build
 *   ends, and nothing moves; `onMove`, called as the pair starts to move, after
 *   which an interrupt no longer stops the deploy; `check`, called with the
 *   release built and stored, before the pair moves (what it throws moves nothing)
 */
async function deployLocal(
  project: Project,
  stage: Stage,
  alias: string,
  who: string,
  progress: Progress = SILENT_PROGRESS,
  interruption: Pick<LocalDeployOptions, 'signal' | 'onMove' | 'check'> = {},
): Promise<LocalDeployment> {
  const { signal } = interruption;
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
  const interrupted = (kept?: string): CnfError =>
    new CnfError(
      `Interrupted: the deploy stopped; web:${alias} and admin:${alias} did not move.${kept === undefined ? '' : ` The release it had built, ${kept}, is kept (never live: it pins no config).`}`,
      ExitCode.INTERRUPTED,
      'user',
    );
  // The checkout's commit, asked beside the build: the release records it when first built, whichever pair it goes to;
  // a move of the live pair too. A pair other than live given a stored release needs it for neither.
  const git = unchanged === undefined || alias === DEFAULT_ALIAS ? describeGitCheckout(project.root) : Promise.resolve(undefined);
  const built =
    unchanged === undefined
      ? await withProgress(progress, 'Building the bundle', () => buildAndStore(paths, project, git, signal)).catch(
          async (error: unknown) => {
            throw (await stoppedByInterrupt(error, signal)) ? interrupted() : error;
          },
        )
      : { stored: unchanged, isNew: false, built: false };
  const commit = await git;
  let liveConfig: Pick<LocalDeployment, 'config' | 'pinnedBefore' | 'endedHold'> = {};
  let pruned: string[] = [];
  const pairElsewhere = current?.web !== built.stored.release || current?.admin !== built.stored.release;
  // A release the pair already serves is no move to check: what the command then refuses, it refuses of the live release.
  if (pairElsewhere) await interruption.check?.(built.stored.release);
  // Read before the pair moves: the release it leaves may be one the pruning below removes.
  const added = await addedSources(paths, current?.web, built.stored);
  // The alias pair and the live pair's record move as one step, under the state lock.
  await withStateLock(paths.stageDir, async () => {
    // Asked and told in one step: an interrupt either came before, and nothing moves, or finds the pair moving.
    if (signal?.aborted === true) throw interrupted(built.isNew ? built.stored.release : undefined);
    interruption.onMove?.();
    // A deploy that builds the live release again moves nothing, and went live no second time (ui's markers, "What went
    // live"), unless it ends a rollback's hold.
    // The live pair's moves, read once: the hold a rollback left, and the config the release ran with when last live.
    const history = alias === DEFAULT_ALIAS ? await parameters.moves() : [];
    const hold = rollbackPinOf(history);
    const moves = pairElsewhere || hold !== undefined;
    await changingTogether([paths.aliases, paths.parameters], async () => {
      await moveAliasPairLocked(paths, alias, built.stored.release);
      if (alias === DEFAULT_ALIAS && moves) {
        // A deploy pins the release to the live config now.
        const pinned = pinnedConfig(history, built.stored.release);
        const move = await parameters.recordMove(
          {
            release: built.stored.release,
            cause: DEPLOY_CAUSE,
            ...(commit === undefined ? {} : { gitSha: commit.sha, description: commit.description }),
          },
          true,
        );
        liveConfig = {
          config: move.config,
          ...(pinned === undefined || pinned === move.config ? {} : { pinnedBefore: pinned }),
          ...(hold === undefined ? {} : { endedHold: hold.release }),
        };
      }
    });
    // A new release stored: the oldest that nothing uses go, while no pair can move to one of them.
    if (built.isNew) pruned = await pruneReleases(paths);
  });
  return {
    ...built,
    previous: current?.web,
    alias,
    ...liveConfig,
    ...added,
    ...(pruned.length === 0 ? {} : { pruned }),
  };
}

/** The sources `stored` counts that the release before it did not: files the tree imports since. */
async function addedSources(paths: LocalPaths, previous: string | undefined, stored: StoredRelease): Promise<{ added?: string[] }> {
  if (previous === undefined || previous === stored.release || stored.sources === undefined) return {};
  const before = (await readRelease(paths, previous).catch(() => undefined))?.sources;
  if (before === undefined) return {};
  const added = Object.keys(stored.sources).filter((file) => !Object.hasOwn(before, file));
  return added.length === 0 ? {} : { added: added.sort() };
}

/*
 * A Ctrl-C reaches the build's processes (esbuild's service, the catalog's
 * loader) and the CLI together, and the CLI may take it a moment later: the
 * thread the system hands it to must run first. A build step stopped by a
 * signal waits this long for the CLI's own interrupt before it is called a
 * failure.
 */
const INTERRUPT_LAG_MS = 1000;

/** Whether a failed build is the user's interrupt: the signal fired, or fires soon after a build step was stopped. */
async function stoppedByInterrupt(error: unknown, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal === undefined) return false;
  if (signal.aborted) return true;
  if (!(error instanceof BuildStoppedError)) return false;
  // The wait ends early, rejected, when the signal fires.
  return delay(INTERRUPT_LAG_MS, false, { signal }).catch(() => true);
}

/** Builds the bundle and stores it as a release, with the commit of the checkout (`git`, asked meanwhile); `signal` stops the build. */
async function buildAndStore(
  paths: LocalPaths,
  project: Project,
  git: Promise<GitDescription | undefined>,
  signal: AbortSignal | undefined,
): Promise<{ stored: StoredRelease; isNew: boolean; built: boolean }> {
  // The bundler (esbuild) loads only when a deploy builds.
  const { buildBundle } = await import('../../bundle/build-bundle.js');
  const started = Date.now();
  const bundle = await buildBundle(project, signal);
  const { stored, isNew } = await storeRelease(paths, bundle, stampSources(project.root, bundle.inputs, started), await git);
  return { stored, isNew, built: true };
}

export { deployLocal };
