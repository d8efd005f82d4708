import { diffParameters, livePairLabel, type ConfigDiffEntry } from './config-version.js';
import { ReleaseMismatchError, UnavailableError, UsageError } from './errors.js';
import type { Parameter } from './parameter-set.js';
import { isReleaseId } from './release.js';
import { releaseMatches } from './release-match.js';
import type { RunRecord } from './run.js';

/** The reserved task name under which a rollback is a run of the ledger. */
const ROLLBACK_TASK = 'cnf:rollback';

/** The cause a stage records of a move of its live pair that rolled back (a {@link LivePairHistoryEntry}'s `cause`). */
const ROLLBACK_CAUSE = 'rollback';

/** The cause a stage records of a move of its live pair that deployed a release. */
const DEPLOY_CAUSE = 'deploy';

/** The cause a stage records of a move of its live pair that changed the config alone. */
const CONFIG_CAUSE = 'config';

/** What serves a stage: a release and a config version, moved together. */
interface LivePair {
  /** The release behind the web alias: the one that serves traffic. */
  readonly release: string;
  /** Undefined where the stage has no config version yet. */
  readonly config: number | undefined;
  /**
   * The release behind the admin alias where it is not web's: a pair left
   * half moved (a rollback whose put-back failed, an alias moved by hand),
   * which `rollback --to <release>` moves together again. Undefined when
   * web and admin agree.
   */
  readonly adminRelease?: string;
}

/** A live pair as the plan and the rollback's run name it: `r-… · config v7`, or both releases of a half-moved pair. */
function pairLabel(pair: LivePair): string {
  return livePairLabel(pair.adminRelease === undefined ? pair.release : `web ${pair.release}, admin ${pair.adminRelease}`, pair.config);
}

/** One move of the live pair, as the stage recorded it. */
interface LivePairHistoryEntry extends LivePair {
  /** ISO 8601. */
  readonly at: string;
  readonly cause: string;
  /** Who moved it, where the stage records that (`user@host` locally). */
  readonly by?: string;
  /** A rollback's reason, when one was given. */
  readonly reason?: string;
}

/**
 * A recorded move of the live pair as its history shows it: the pair, when,
 * why, who (where recorded) and a rollback's reason; nothing else the record
 * keeps of it (a run id, a git commit).
 */
function historyEntryOf(move: LivePairHistoryEntry): LivePairHistoryEntry {
  const { release, config, at, cause, by, reason } = move;
  return { release, config, at, cause, ...(by === undefined ? {} : { by }), ...(reason === undefined ? {} : { reason }) };
}

/** Who holds the stage-wide lock, for the message of one who waits. */
interface StageLockHolder {
  readonly runId: string;
  readonly caller: string;
}

/**
 * The stage's live pair, and what a rollback needs to move it: the history of
 * moves, whether a release can be restored, the stage-wide lock shared with
 * deploys and the release phase, and the ledger record of the rollback run.
 */
interface LivePairControl {
  /** The live pair now, or undefined before the first deploy. */
  livePair(): Promise<LivePair | undefined>;
  /** Every move of the live pair, oldest first. */
  history(): Promise<LivePairHistoryEntry[]>;
  /** Why the release's function versions (or bundle) cannot serve again, or undefined when they can. */
  releaseUnrestorable(release: string): Promise<string | undefined>;
  /**
   * Runs `work` while holding the stage-wide lock that deploys and the
   * release phase take too.
   *
   * @throws TryAgainError (75) naming the holder when another holds it.
   */
  withStageLock<T>(holder: StageLockHolder, work: () => Promise<T>): Promise<T>;
  /** Records the start of a run exactly once per run id: the existing record when the id was used before. */
  claimRun(record: RunRecord): Promise<RunRecord | undefined>;
  /** Records a claimed run's end. */
  finishRun(record: RunRecord): Promise<void>;
  /**
   * Moves web and admin to `to.release` and makes `to.config` live, as one
   * step, and records the move.
   *
   * @returns what the user must hear when the stage moved but its move could not be recorded; undefined when it was
   */
  move(
    to: LivePair & { readonly config: number | undefined },
    run: { readonly runId: string; readonly reason?: string },
  ): Promise<string | undefined>;
}

/** A release's pinned config version: the last one it was live with. */
function pinnedConfig(history: readonly LivePairHistoryEntry[], release: string): number | undefined {
  return history.findLast((entry) => entry.release === release)?.config;
}

/** What `rollback` will do, found before anything moves. */
interface RollbackPlan {
  readonly from: LivePair;
  readonly to: LivePair;
  /** `pinned`: the target's pinned config version; `current`: keep the live one. */
  readonly configMode: 'pinned' | 'current';
  /** The target was never live on the stage, so it pins no config: the live one is kept, whatever was asked. */
  readonly pinsNone?: true;
  /**
   * Per-key config diff from the live config to the target's: empty when the
   * target keeps the live config. Absent when the target's config differs and
   * the live one cannot be read whole ({@link liveConfigUnreadable}).
   */
  readonly diff?: readonly ConfigDiffEntry[];
  /**
   * Why the live config version cannot be read whole (a value it names is no
   * longer kept), when it cannot: a rollback that keeps it moves the code
   * alone, and the target's web and admin cannot read that value either.
   */
  readonly liveConfigUnreadable?: string;
}

/**
 * Finds the release `rollback --to` names: `previous` is the release live
 * before the current one (the latest other release in the live-pair history).
 *
 * @throws UsageError (64) when the text names no release, or there is no previous one.
 */
function rollbackTarget(history: readonly LivePairHistoryEntry[], current: LivePair, to: string, stage: string): string {
  if (to === 'previous') {
    const previous = history.findLast((entry) => entry.release !== current.release);
    if (previous === undefined)
      throw new UsageError(
        `There is no previous release to roll back to: the stage's record of what went live names ${current.release} alone.`,
        {
          hint: `Roll back to another retained release by its id: cnf-admin rollback --to <release> --stage ${stage} (cnf-admin releases --stage ${stage} lists them).`,
        },
      );
    return previous.release;
  }
  if (!isReleaseId(to))
    throw new UsageError(`--to takes a release id (r- and 12 hex digits) or "previous", got: ${JSON.stringify(to)}`, {
      hint: rollbackTargetHint(history, current, to, stage),
    });
  return to;
}

/**
 * What a `--to` that is no release id may have meant: the one release of the
 * stage's history, other than the live one, whose id starts so (any case, `r-` or not, as the ledger's
 * release filter reads it), or `previous` begun; else where the ids are.
 */
function rollbackTargetHint(history: readonly LivePairHistoryEntry[], current: LivePair, to: string, stage: string): string {
  const meant = (release: string): string => `Did you mean ${release}? cnf-admin rollback --to ${release} --stage ${stage}`;
  if (to.length >= 2 && 'previous'.startsWith(to.toLowerCase())) return meant('previous');
  // The live release is no target: a rollback to it does nothing.
  const matching = [...new Set(history.map((entry) => entry.release))].filter(
    (release) => release !== current.release && to !== '' && releaseMatches(release, to),
  );
  if (matching.length === 1 && matching[0] !== undefined) return meant(matching[0]);
  return `Name a release by its whole id: cnf-admin releases --stage ${stage} lists them.`;
}

/** The sources a plan reads, each one request on AWS. */
interface RollbackPlanSources {
  /** The stage's name, for the commands a refusal suggests. */
  readonly stage: string;
  readonly history: readonly LivePairHistoryEntry[];
  readonly current: LivePair;
  /** Resolves a config version's values (secure ones too: they are compared, never shown). */
  readonly values: (version: number) => Promise<readonly Parameter[]>;
  readonly unrestorableConfig: (version: number) => Promise<string | undefined>;
  readonly unrestorableRelease: (release: string) => Promise<string | undefined>;
}

/**
 * Plans a rollback: from the live pair to the target release with its
 * pinned config (or the live one), and the per-key diff. It reads only the
 * values the diff needs: none when the target keeps the live config (its
 * diff is empty); and a live config whose values are no longer all kept
 * leaves the diff out rather than refuse a rollback to a whole one, which
 * mends it.
 *
 * @throws UnavailableError (69) naming why when the target cannot be restored.
 */
async function planRollback(sources: RollbackPlanSources, to: string, configMode: 'pinned' | 'current'): Promise<RollbackPlan> {
  const { current, history } = sources;
  // A half-moved pair has no one release to go back from: the user names the one to move both to.
  if (current.adminRelease !== undefined && to === 'previous')
    throw new ReleaseMismatchError(
      `Stage ${sources.stage} is half moved: web serves ${current.release} but admin ${current.adminRelease}, so there is no one previous release to roll back to; nothing moved.`,
      {
        hint: `Move web and admin together to the release they should serve: cnf-admin rollback --to ${current.release} --stage ${sources.stage} (or --to ${current.adminRelease}).`,
      },
    );
  const release = rollbackTarget(history, current, to, sources.stage);
  const pinned = pinnedConfig(history, release);
  const config = configMode === 'current' || pinned === undefined ? current.config : pinned;
  // The same version on both sides differs in nothing: no value is read, so none that is gone stops the code's move.
  const diffed = config !== current.config;
  // Every question at once (one round trip on AWS); the target's values are wanted only when it is restorable.
  const failed = (error: unknown): { failed: unknown } => ({ failed: error });
  const [releaseProblem, configProblem, liveProblem, before, after] = await Promise.all([
    sources.unrestorableRelease(release),
    config !== undefined && diffed ? sources.unrestorableConfig(config) : undefined,
    current.config === undefined ? undefined : sources.unrestorableConfig(current.config),
    current.config === undefined || !diffed ? [] : sources.values(current.config).catch(failed),
    config === undefined || !diffed ? [] : sources.values(config).catch(failed),
  ]);
  if (releaseProblem !== undefined)
    throw new UnavailableError(`Cannot roll back to ${release}: ${releaseProblem}.`, {
      hint: 'See the releases it can roll back to (RESTORABLE) with: cnf-admin releases, with the same --stage',
    });
  if (configProblem !== undefined)
    throw new UnavailableError(`Cannot roll back to ${release}: ${configProblem}.`, {
      hint: `Roll back the code alone with: --config current`,
    });
  if ('failed' in after) throw after.failed;
  // The live values serve the diff alone: where they are no longer all kept, the diff is left out.
  if ('failed' in before && liveProblem === undefined) throw before.failed;
  // A release never live here (a deploy interrupted before it moved the pair, say) pins nothing: it keeps the live config, and says so.
  const pinsNone = configMode === 'pinned' && pinned === undefined;
  return {
    from: current,
    to: { release, config },
    configMode: pinsNone ? 'current' : configMode,
    ...(pinsNone ? { pinsNone } : {}),
    ...('failed' in before ? {} : { diff: diffParameters(before, after) }),
    ...(liveProblem === undefined ? {} : { liveConfigUnreadable: liveProblem }),
  };
}

/** The plan's first line: `from r-… · config v9 to r-… · config v7`. */
function describeRollback(plan: RollbackPlan): string {
  return `from ${pairLabel(plan.from)} to ${pairLabel(plan.to)}`;
}

export {
  CONFIG_CAUSE,
  DEPLOY_CAUSE,
  ROLLBACK_CAUSE,
  describeRollback,
  historyEntryOf,
  pairLabel,
  pinnedConfig,
  planRollback,
  ROLLBACK_TASK,
};
export type { LivePair, LivePairControl, LivePairHistoryEntry, RollbackPlan, RollbackPlanSources, StageLockHolder };
