import { UpdateAliasCommand, type AliasConfiguration, type LambdaClient } from './sdk/lambda.js';
import type { PairMove } from '../../core/config-ledger.js';
import { livePairLabel } from '../../core/config-version.js';
import { isCnfError, ReleaseMismatchError, TryAgainError, UnavailableError } from '../../core/errors.js';
import {
  historyEntryOf,
  ROLLBACK_CAUSE,
  type LivePair,
  type LivePairControl,
  type LivePairHistoryEntry,
  type StageLockHolder,
} from '../../core/rollback.js';
import type { RunRecord } from '../../core/run.js';
import { functionNamesOf } from './discovery.js';
import type { StageRecord } from '../../core/stage-record.js';
import { callAws, mayHaveLanded } from './aws-errors.js';
import type { AwsConfigVersions } from './aws-config-versions.js';
import type { ConfigLedgerStore } from './config-ledger-store.js';
import { listVersions, type FunctionVersion } from './function-versions.js';
import { getAlias } from './function-aliases.js';
import { moveFailure } from './move-put-back.js';
import { goneFunctionVersions } from './gone-function-versions.js';

/** What {@link AwsLivePairs} works with. */
interface AwsLivePairSources {
  readonly lambda: LambdaClient;
  readonly stage: string;
  readonly record: () => Promise<StageRecord>;
  readonly versions: AwsConfigVersions;
  readonly ledger: () => Promise<ConfigLedgerStore | undefined>;
  /** The release behind the live alias pair (web and admin agree), or undefined before the first deploy. */
  readonly liveRelease: () => Promise<string | undefined>;
  readonly caller: () => Promise<string>;
  /** The stage's stack and its status while a deploy is under way (`UPDATE_IN_PROGRESS`, …), else undefined. */
  readonly deployInProgress: () => Promise<{ readonly stack: string; readonly status: string } | undefined>;
}

/**
 * An AWS stage's live pair: the release behind the live aliases of web and
 * admin, and the config version the live-pair record names. A rollback moves
 * both aliases (`UpdateAlias`) and writes the record; every move is an item
 * of the ledger, from which a release's pinned config is read.
 */
class AwsLivePairs implements LivePairControl {
  #reading: Promise<LivePair | undefined> | undefined;
  /** The functions' published versions, read once per command (versions are immutable; a new one matters to no plan made before it). */
  #functionVersions: Promise<[FunctionVersion[], FunctionVersion[]]> | undefined;

  constructor(private readonly sources: AwsLivePairSources) {}

  /**
   * The live pair, read afresh (calls at the same time share one read). Web
   * and admin on two releases (a pair left half moved) is a pair too, with
   * `adminRelease`: a rollback to a named release moves them together again.
   */
  livePair(): Promise<LivePair | undefined> {
    this.#reading ??= (async () => {
      this.sources.versions.forget();
      const [releases, config] = await Promise.all([
        this.sources.liveRelease().then(
          (release) => (release === undefined ? undefined : { web: release, admin: release }),
          (error: unknown) => {
            if (error instanceof ReleaseMismatchError && error.pair !== undefined) return error.pair;
            throw error;
          },
        ),
        this.sources.versions.live(),
      ]);
      if (releases === undefined) return undefined;
      return { release: releases.web, config, ...(releases.admin === releases.web ? {} : { adminRelease: releases.admin }) };
    })().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  /**
   * Every recorded move, oldest first. A `cdk deploy` moves the aliases
   * without a record: when the live release is not the last move's, the
   * deploy is read as a move to it with the live config.
   */
  async history(): Promise<LivePairHistoryEntry[]> {
    // The config versions and the releases' function versions are read in the same round trip: a plan asks for them next.
    void this.sources.versions.versions().catch(() => undefined);
    // The histories of the keys the live and the previous version name: the plan's values, and their restorability.
    void this.sources.versions
      .record()
      .then((record) =>
        this.sources.versions.prefetchHistory(new Set([...Object.keys(record?.keys ?? {}), ...Object.keys(record?.previous?.keys ?? {})])),
      )
      .catch(() => undefined);
    void this.#versionsOf('').catch(() => undefined);
    const [moves, pair] = await Promise.all([
      this.#ledger().then((ledger) => ledger.moves()),
      // Web and admin on two releases (78 for a run) still has a history, without a move to either: status shows the drift.
      this.livePair().then((pair) => (pair?.adminRelease === undefined ? pair : undefined)),
    ]);
    // Who moved it and why go with each move: config history and the ui show them, as on the local stage.
    const entries: LivePairHistoryEntry[] = moves.map(historyEntryOf);
    const record = await this.sources.versions.record();
    // The release the record last named was live with the record's config until the deploy.
    if (record !== undefined && record.release !== 'none' && entries.at(-1)?.release !== record.release)
      entries.push({ release: record.release, config: record.config, at: record.from ?? new Date().toISOString(), cause: 'config' });
    if (pair !== undefined && entries.at(-1)?.release !== pair.release)
      entries.push({ release: pair.release, config: pair.config, at: new Date().toISOString(), cause: 'deploy' });
    return entries;
  }

  async releaseUnrestorable(release: string): Promise<string | undefined> {
    const [web, admin] = await this.#versionsOf(release);
    return goneFunctionVersions(web, admin);
  }

  /**
   * Runs `work` holding the stage-wide lock, once no deploy is under way. The
   * stack is read after the lock is taken: a deploy that starts later finds
   * the lock held (the construct's live-alias guard refuses it), and one that
   * started earlier is seen here.
   *
   * @throws TryAgainError (75), nothing done, while the stage's stack is being deployed.
   */
  async withStageLock<T>(holder: StageLockHolder, work: () => Promise<T>): Promise<T> {
    return (await this.#ledger()).withStageLock(holder, async () => {
      const deploy = await this.sources.deployInProgress();
      if (deploy !== undefined)
        throw new TryAgainError(
          `Stage ${this.sources.stage} is being deployed (stack ${deploy.stack} is ${deploy.status}); nothing moved. Roll back once the deploy is done.`,
        );
      return work();
    });
  }

  async claimRun(record: RunRecord): Promise<RunRecord | undefined> {
    return (await this.#ledger()).claimRun(record);
  }

  async finishRun(record: RunRecord): Promise<void> {
    await (await this.#ledger()).finishRun(record);
  }

  /**
   * Makes the target's config version live (the live-pair record), then
   * moves the web and admin aliases to the target's versions, and records
   * the move. Called under the stage-wide lock. Should a step fail (an
   * alias that cannot be moved), what moved before it is put back as it
   * was, so that web, admin and the config never stay on two releases.
   */
  async move(to: LivePair, run: { readonly runId: string; readonly reason?: string }): Promise<string | undefined> {
    const record = await this.sources.record();
    const names = functionNamesOf(record);
    const [web, admin] = await this.#versionsOf(to.release);
    if (web === undefined || admin === undefined)
      throw new UnavailableError(`Cannot roll back to ${to.release}: its function versions are gone.`);
    const stage = this.sources.stage;
    const [configBefore, webBefore, adminBefore] = await Promise.all([
      this.sources.versions.record(),
      getAlias(this.sources.lambda, names.web, record.aliasName, stage),
      getAlias(this.sources.lambda, names.admin, record.aliasName, stage),
    ]);
    const update = (functionName: string, version: string, weights: Record<string, number> = {}) =>
      callAws({ action: 'lambda:UpdateAlias', resource: `function ${functionName} alias ${record.aliasName}`, stage }, () =>
        this.sources.lambda.send(
          new UpdateAliasCommand({
            FunctionName: functionName,
            Name: record.aliasName,
            FunctionVersion: version,
            RoutingConfig: { AdditionalVersionWeights: weights },
          }),
        ),
      );
    // How each alias update went (web, admin), once they were sent: none when the record's move failed first.
    let updates: PromiseSettledResult<unknown>[] = [];
    // Why the live-pair record was not written, when its write failed: a refusal wrote nothing, so nothing is to be put back.
    let recordFailure: unknown;
    try {
      if (to.config !== undefined)
        await this.sources.versions.makeLive(to.config, to.release).catch((error: unknown) => {
          recordFailure = error;
          throw error;
        });
      // Both settle before anything is put back: a put-back never races an update still under way.
      updates = await Promise.allSettled([update(names.web, web.version), update(names.admin, admin.version)]);
      const failed = updates.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    } catch (error) {
      /*
       * Only an alias that moved is put back: one whose update succeeded, or failed with no answer that says it
       * did not (read back: a timeout may have moved it). Each on its own: the step's own error is what the user
       * reads, with which of them could not be put back.
       */
      const moved = async (functionName: string, version: string, result: PromiseSettledResult<unknown> | undefined): Promise<boolean> => {
        if (result === undefined) return false;
        if (result.status === 'fulfilled') return true;
        const now = await getAlias(this.sources.lambda, functionName, record.aliasName, stage).catch(() => undefined);
        return now === undefined || now.FunctionVersion === version;
      };
      const [webMoved, adminMoved] = await Promise.all([
        moved(names.web, web.version, updates[0]),
        moved(names.admin, admin.version, updates[1]),
      ]);
      const putBack = (side: 'web' | 'admin', functionName: string, alias: AliasConfiguration, aliasMoved: boolean) => ({
        part: `the ${side} alias ${record.aliasName} (on version ${alias.FunctionVersion ?? '?'})`,
        put: () =>
          alias.FunctionVersion === undefined || !aliasMoved
            ? Promise.resolve()
            : update(functionName, alias.FunctionVersion, alias.RoutingConfig?.AdditionalVersionWeights ?? {}),
      });
      const parts = [
        putBack('web', names.web, webBefore, webMoved),
        putBack('admin', names.admin, adminBefore, adminMoved),
        ...(configBefore === undefined || to.config === undefined || !recordMayHaveMoved(recordFailure)
          ? []
          : [
              {
                part: `the live-pair record (on config v${configBefore.config})`,
                put: () => this.sources.versions.putBackRecord(configBefore),
              },
            ]),
      ];
      const results = await Promise.allSettled(parts.map(({ put }) => put()));
      throw moveFailure(
        error,
        parts.map(({ part }, index) => ({ part, result: results[index] as PromiseSettledResult<unknown> })),
        stage,
        to.release,
      );
    }
    if (to.config !== undefined) {
      const move: PairMove = {
        release: to.release,
        config: to.config,
        at: new Date().toISOString(),
        cause: ROLLBACK_CAUSE,
        by: await this.sources.caller(),
        runId: run.runId,
        ...(run.reason === undefined ? {} : { reason: run.reason }),
      };
      // The stage has moved: a move the ledger refused to record is told, not a failed rollback.
      const unrecorded = await (await this.#ledger()).addMove(move).then(
        () => undefined,
        (error: unknown) => (error as Error).message,
      );
      if (unrecorded !== undefined)
        return `Stage ${stage} moved to ${livePairLabel(to.release, to.config)}, but the ledger did not record the move (${unrecorded.replace(/[.\s]*$/, '')}): config history and the ui do not list it, and ${to.release}'s pinned config is read from the moves it recorded before.`;
    }
    return undefined;
  }

  /** The newest web and admin versions of a release, undefined where the function keeps none. */
  async #versionsOf(release: string): Promise<[FunctionVersion | undefined, FunctionVersion | undefined]> {
    this.#functionVersions ??= this.sources.record().then((record) => {
      const names = functionNamesOf(record);
      return Promise.all([
        listVersions(this.sources.lambda, names.web, this.sources.stage),
        listVersions(this.sources.lambda, names.admin, this.sources.stage),
      ]);
    });
    const [web, admin] = await this.#functionVersions;
    const latest = (versions: FunctionVersion[]) => versions.filter((version) => version.release === release).at(-1);
    return [latest(web), latest(admin)];
  }

  async #ledger(): Promise<ConfigLedgerStore> {
    const ledger = await this.sources.ledger();
    if (ledger === undefined)
      throw new UnavailableError(`Stage ${this.sources.stage} has no run ledger table, where rollbacks and config versions are kept.`, {
        hint: 'Deploy the stage with a cnf-admin construct that creates the run ledger.',
      });
    return ledger;
  }
}

/** Whether the live-pair record may have moved: it was written, or its write failed in a way that may have landed (a 5xx, a lost answer). */
function recordMayHaveMoved(failure: unknown): boolean {
  if (failure === undefined) return true;
  return !isCnfError(failure) || mayHaveLanded(failure.cause);
}

export { AwsLivePairs };
export type { AwsLivePairSources };
