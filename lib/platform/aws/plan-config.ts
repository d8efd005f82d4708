import { configVersionLabel } from '../../core/config-version.js';
import { UnavailableError } from '../../core/errors.js';
import type { LivePairRecord } from '../../core/live-pair-record.js';
import type { InvokePlan, ReleaseInfo, ReleaseTarget, StageStatus } from '../../core/platform.js';
import { DEPLOY_CAUSE, type LivePairControl, type LivePairHistoryEntry, pinnedConfig, ROLLBACK_CAUSE } from '../../core/rollback.js';
import type { AdminEvent } from '../../core/run.js';
import type { AwsConfigVersions } from './aws-config-versions.js';
import { goneFunctionVersions } from './gone-function-versions.js';

/** What the config half of a plan is found from. */
interface PlanConfigSources {
  /** The live-pair record, read with the aliases. */
  readonly live: LivePairRecord | undefined;
  readonly stage: string;
  readonly pairs: LivePairControl;
  readonly versions: AwsConfigVersions;
}

/**
 * The plan with the config version its run reads: the live one for the alias
 * pair; for a retained release (`--release`), its pinned one (the last it was
 * live with) unless `--config current`, checked to be still restorable.
 *
 * @throws UnavailableError (69) when the pinned version needs a parameter version SSM no longer holds.
 */
async function withPlanConfig(plan: InvokePlan, target: ReleaseTarget, sources: PlanConfigSources): Promise<InvokePlan> {
  const live = sources.live?.config;
  if (target.release === undefined || live === undefined)
    return live === undefined ? plan : { ...plan, configVersion: live, configSource: 'live' };
  if (target.config === 'current') return { ...plan, configVersion: live, configSource: 'current' };
  const pinned = pinnedConfig(await sources.pairs.history(), plan.release);
  if (pinned === undefined)
    return {
      ...plan,
      configVersion: live,
      configSource: 'current',
      notices: [
        ...plan.notices,
        `${plan.release} has never been live here, so it has no pinned config: it runs with the live config ${configVersionLabel(live)}.`,
      ],
    };
  if (pinned !== live) {
    const problem = await sources.versions.unrestorable(pinned);
    if (problem !== undefined)
      throw new UnavailableError(`Cannot run ${plan.release} with its pinned config: ${problem}.`, {
        hint: 'Run it with the live config instead: --config current',
      });
  }
  return { ...plan, configVersion: pinned, configSource: 'pinned' };
}

/**
 * The stage status with its config half: the live config version, and per
 * retained release its pinned config version and why it cannot be rolled
 * back to (a function version gone, or a pinned selector SSM dropped).
 */
async function withConfigStatus(status: StageStatus, pairs: LivePairControl, versions: AwsConfigVersions): Promise<StageStatus> {
  const [live, history] = await Promise.all([versions.live(), pairs.history()]);
  const releases = await Promise.all(
    status.releases.map(async (info): Promise<ReleaseInfo> => {
      const pinned = pinnedConfig(history, info.release);
      const problem =
        goneFunctionVersions(info.webVersion, info.adminVersion) ??
        (pinned === undefined ? undefined : await versions.unrestorable(pinned));
      return { ...info, ...(pinned === undefined ? {} : { config: pinned }), ...(problem === undefined ? {} : { unrestorable: problem }) };
    }),
  );
  return { ...status, ...(live === undefined ? {} : { config: live }), releases, notes: [...status.notes, ...unchosen(history, status)] };
}

/**
 * A note when the aliases moved after a rollback to an older release that is
 * not the newest one published: not a new deploy, but what a CloudFormation
 * rollback of a failed deploy does (it restores the aliases of the last
 * deployed template, the release the rollback moved away from).
 */
function unchosen(history: readonly LivePairHistoryEntry[], status: StageStatus): string[] {
  const [chosen, now] = history.slice(-2);
  if (now?.cause !== DEPLOY_CAUSE || chosen?.cause !== ROLLBACK_CAUSE) return [];
  const older = history.slice(0, -2).some((entry) => entry.release === now.release);
  if (!older || status.releases[0]?.release === now.release) return [];
  return [
    `The live aliases serve ${now.release}, an older release, not ${chosen.release}, which the last rollback chose: a CloudFormation rollback of a failed deploy moves them so. Move back with: cnf-admin rollback --to ${chosen.release}`,
  ];
}

/** The admin event with the plan's config version, which the admin function then reads (never "the latest"). */
function eventWithConfig<T extends AdminEvent>(plan: InvokePlan, event: T): T {
  return plan.configVersion === undefined || event.configVersion !== undefined ? event : { ...event, configVersion: plan.configVersion };
}

export { eventWithConfig, withConfigStatus, withPlanConfig };
export type { PlanConfigSources };
