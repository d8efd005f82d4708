import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TryAgainError } from '../../core/errors.js';
import { formatMoment } from '../../core/format-moment.js';
import { DEFAULT_ALIAS } from '../../core/platform.js';
import type { Project } from '../../core/project.js';
import {
  DEPLOY_CAUSE,
  historyEntryOf,
  ROLLBACK_CAUSE,
  type LivePair,
  type LivePairControl,
  type LivePairHistoryEntry,
  type StageLockHolder,
} from '../../core/rollback.js';
import type { RunRecord } from '../../core/run.js';
import type { RollbackPin } from '../../core/platform-capabilities.js';
import { acquireFileLock, fileLockHolder } from '../../core/files/file-lock.js';
import type { LockHolder } from '../../core/lease.js';
import type { FileLedger } from '../../runtime/ledger/file-ledger.js';
import type { LivePairMove } from '../../runtime/local-config-file.js';
import { moveAliasPairLocked, readAliasPair } from './alias-store.js';
import { LocalParameterStore } from './local-parameters.js';
import { bundleDir, localPaths, type LocalPaths } from './local-paths.js';
import { isAlive } from './postmaster-pid.js';
import { bundleDamage, readRelease } from './release-store.js';
import { withStateLock } from './state-lock.js';
import { changingTogether } from './state-files-together.js';

/* A deploy or a rollback holds the stage lock for seconds to minutes; its lease outlives a stalled holder by this much. */
const STAGE_LEASE_MS = 30_000;

/*
 * Another process's deploy or config change (`deploy-<pid>`, `config-<pid>`)
 * holds the stage for the seconds a build takes, or less: two invokes after
 * one edit both deploy the tree first, and two terminals set config at once.
 * That is waited for, this long at most, looking every STAGE_LOOK_MS. A
 * rollback (a run id: its release phase may migrate for minutes) is refused
 * at once, naming it.
 */
const SHORT_CHANGE_WAIT_MS = 60_000;
const STAGE_LOOK_MS = 50;

/**
 * Runs `work` holding the local stage's stage-wide lock, which deploys,
 * rollbacks and their release phase share: one changes the stage at a time.
 * Another process's deploy or config change is waited for (a minute at
 * most); a rollback is not.
 *
 * @throws TryAgainError (75) naming the holder when another holds it.
 */
async function withLocalStageLock<T>(paths: LocalPaths, holder: StageLockHolder, work: () => Promise<T>): Promise<T> {
  await mkdir(join(paths.stageDir, 'locks'), { recursive: true });
  const until = Date.now() + SHORT_CHANGE_WAIT_MS;
  const take = () =>
    acquireFileLock(
      stageLockDir(paths),
      { ...holder, since: new Date().toISOString() },
      { leaseMs: STAGE_LEASE_MS, heartbeatMs: STAGE_LEASE_MS / 3 },
      async (current) => holderGone(paths, current),
    );
  let lock = await take();
  while (!lock.acquired && PROCESS_HOLDER.test(lock.holder.runId) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, STAGE_LOOK_MS));
    lock = await take();
  }
  if (!lock.acquired) throw stageBeingChanged(lock.holder);
  let done: T;
  try {
    done = await work();
  } catch (error) {
    // The work's failure is the one to tell: a lock that cannot be given back too (the same full disk) frees itself when its lease runs out.
    await lock.lease.release().catch(() => undefined);
    throw error;
  }
  await lock.lease.release();
  return done;
}

/**
 * Refuses as {@link withLocalStageLock} would, without taking the lock, when
 * another holds it: a command that would change nothing says so only when
 * no change of the stage is under way.
 *
 * @throws TryAgainError (75) naming the holder when another holds it.
 */
async function assertLocalStageFree(paths: LocalPaths): Promise<void> {
  const holder = await fileLockHolder(stageLockDir(paths), STAGE_LEASE_MS);
  if (holder !== undefined && !(await holderGone(paths, holder))) throw stageBeingChanged(holder);
}

/* The stage lock's holder id of a change that is no run of the ledger: its kind and its process. */
const PROCESS_HOLDER = /^(?:deploy|config)-(\d+)$/;

/** The stage lock's holder id of a deploy or config change made by this process: `deploy-<pid>`, `config-<pid>`. */
function processHolderId(kind: 'deploy' | 'config'): string {
  return `${kind}-${process.pid}`;
}

/**
 * Whether the stage lock's holder is gone: a run of the ledger that has
 * ended, or died (a rollback whose CLI was killed reads as lost), or one
 * whose process died before it recorded the run; or a deploy's or config
 * change's process (`deploy-<pid>`, `config-<pid>`) that no longer runs. Its
 * lock is free at once, not when its lease runs out.
 */
async function holderGone(paths: LocalPaths, holder: LockHolder): Promise<boolean> {
  const pid = PROCESS_HOLDER.exec(holder.runId)?.[1];
  if (pid !== undefined) return !isAlive(Number(pid));
  const { FileLedger: Ledger } = await import('../../runtime/ledger/file-ledger.js');
  const record = await new Ledger(paths.ledger).get(holder.runId);
  if (record === undefined) return holder.pid !== undefined && !isAlive(holder.pid);
  return record.endedAt !== undefined;
}

function stageLockDir(paths: LocalPaths): string {
  return join(paths.stageDir, 'locks', '.stage');
}

function stageBeingChanged(holder: LockHolder): TryAgainError {
  return new TryAgainError(
    `The local stage is being changed by ${holder.runId} (${holder.caller}, since ${formatMoment(holder.since)}); try again when it is done.`,
  );
}

/** The local stage's live pair: the `live` alias pair in `aliases.json` and the live config version in `parameters.json`. */
class LocalLivePairs implements LivePairControl {
  constructor(
    private readonly paths: LocalPaths,
    private readonly store: LocalParameterStore,
    private readonly ledger: FileLedger,
  ) {}

  /**
   * Web and admin on two releases (`aliases.json` changed by hand) is a pair
   * too, with `adminRelease`, as on AWS: a rollback's plan says so, and a
   * rollback to a named release moves them together again.
   */
  async livePair(): Promise<LivePair | undefined> {
    const [pair, config] = await Promise.all([readAliasPair(this.paths, DEFAULT_ALIAS), this.store.live()]);
    if (pair === undefined) return undefined;
    return { release: pair.web, config, ...(pair.admin === pair.web ? {} : { adminRelease: pair.admin }) };
  }

  async history(): Promise<LivePairHistoryEntry[]> {
    return (await this.store.moves()).map(historyEntryOf);
  }

  /** Whether the live pair has served `release`, as its moves record. */
  async servedBefore(release: string): Promise<boolean> {
    return (await this.store.moves()).some((move) => move.release === release);
  }

  async releaseUnrestorable(release: string): Promise<string | undefined> {
    const stored = await readRelease(this.paths, release);
    if (stored === undefined) {
      // A bundle whose record was moved aside (as a damaged one's error says to): the record, not the bundle, is gone.
      if (existsSync(bundleDir(this.paths, release)))
        return `its record, .cnf/local/releases/${release}/release.json, is gone: the stage cannot check its bundle (put the file back, or deploy that code again)`;
      return (await this.servedBefore(release))
        ? `the stage no longer holds its bundle (.cnf/local/releases/${release})`
        : 'the stage has no such release: it was never deployed here (cnf-admin releases lists those it holds)';
    }
    const damage = await bundleDamage(this.paths, stored);
    return damage === undefined ? undefined : `its bundle is damaged: ${damage}`;
  }

  withStageLock<T>(holder: StageLockHolder, work: () => Promise<T>): Promise<T> {
    return withLocalStageLock(this.paths, holder, work);
  }

  async claimRun(record: RunRecord): Promise<RunRecord | undefined> {
    const claim = await this.ledger.claim(record);
    return claim.claimed ? undefined : claim.existing;
  }

  finishRun(record: RunRecord): Promise<void> {
    return this.ledger.finish(record);
  }

  async move(to: LivePair, run: { readonly runId: string; readonly reason?: string }): Promise<undefined> {
    await withStateLock(this.paths.stageDir, () =>
      changingTogether([this.paths.parameters, this.paths.aliases], async () => {
        await this.store.recordMove(
          {
            release: to.release,
            cause: ROLLBACK_CAUSE,
            runId: run.runId,
            ...(to.config === undefined ? {} : { config: to.config }),
            ...(run.reason === undefined ? {} : { reason: run.reason }),
          },
          true,
        );
        await moveAliasPairLocked(this.paths, DEFAULT_ALIAS, to.release);
      }),
    );
  }
}

/**
 * Whether the local stage of `project` stays on a release a rollback chose,
 * and which: a rollback pins the stage until the next explicit `deploy`, so
 * nothing may deploy the working tree over it on its own (say, before an
 * invoke). Undefined when the last move of the stage was a deploy.
 */
async function localRollbackPin(project: Pick<Project, 'stateDir'>): Promise<RollbackPin | undefined> {
  return rollbackPinOf(await new LocalParameterStore(localPaths(project).parameters).moves());
}

/** The rollback pin that the moves of the live pair, oldest first, leave on the stage (see {@link localRollbackPin}). */
function rollbackPinOf(moves: readonly LivePairMove[]): RollbackPin | undefined {
  const lastRollback = moves.findLastIndex((move) => move.cause === ROLLBACK_CAUSE);
  if (lastRollback === -1 || moves.slice(lastRollback).some((move) => move.cause === DEPLOY_CAUSE)) return undefined;
  const rollback = moves[lastRollback] as LivePairMove;
  // Config changes since keep the release; the live config is the last move's.
  const last = moves.at(-1) as LivePairMove;
  return { release: rollback.release, config: last.config, restoredConfig: rollback.config, runId: rollback.runId, since: rollback.at };
}

export { assertLocalStageFree, LocalLivePairs, localRollbackPin, processHolderId, rollbackPinOf, withLocalStageLock };
