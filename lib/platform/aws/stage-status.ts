import type { LambdaClient } from './sdk/lambda.js';
import type { AliasPairStatus, AliasTarget, ReleaseInfo, StageStatus } from '../../core/platform.js';
import { isReleaseId } from '../../core/release.js';
import { taskFamilyOf, taskFamilyPrefix } from '../../core/stage-names.js';
import type { StageRecord } from '../../core/stage-record.js';
import { listAliases, type AliasState } from './function-aliases.js';
import { listVersions, type FunctionVersion } from './function-versions.js';

/** What an alias points at when the function has no such alias. */
const MISSING: AliasTarget = { version: 'none', release: 'none' };

/**
 * What `status` and `releases` show of an AWS stage: every alias pair with
 * the releases and versions behind it (from the versions' own descriptions)
 * and its canary weights, the releases the stage retains, drift, and the
 * container tasks the stage record names (their cluster, and the task
 * definition a run of the live release starts).
 */
async function stageStatus(lambda: LambdaClient, record: StageRecord): Promise<StageStatus> {
  const { stage } = record;
  const [webAliases, adminAliases, webVersions, adminVersions] = await Promise.all([
    listAliases(lambda, record.web.functionName, stage),
    listAliases(lambda, record.admin.functionName, stage),
    listVersions(lambda, record.web.functionName, stage),
    listVersions(lambda, record.admin.functionName, stage),
  ]);
  const names = [...new Set([...webAliases, ...adminAliases].map((alias) => alias.name))].sort();
  const aliases: AliasPairStatus[] = names.map((name) => ({
    name,
    web: targetOf(
      webAliases.find((alias) => alias.name === name),
      webVersions,
    ),
    admin: targetOf(
      adminAliases.find((alias) => alias.name === name),
      adminVersions,
    ),
  }));
  const notes = [
    `Region ${record.region}; functions ${record.web.functionName} and ${record.admin.functionName}; parameter set ${record.parameterPath}; admin log group ${record.admin.logGroup}` +
      (record.ledgerTable === undefined ? '; no run ledger table.' : `; run ledger ${record.ledgerTable}.`),
    ...aliases
      .filter((pair) => pair.web.release !== pair.admin.release)
      .map(
        (pair) =>
          `Drift: web:${pair.name} serves ${pair.web.release} but admin:${pair.name} points at ${pair.admin.release}; invoke exits 78 until a deploy moves them together, or cnf-admin rollback --to <release> --stage ${stage} does.`,
      ),
  ];
  const container = record.container;
  // A run starts the task definition of the release it runs (containerPlan): admin's live one, which a rollback moves off
  // the deployed release the record names.
  const liveAdmin = aliases.find((pair) => pair.name === record.aliasName)?.admin.release;
  // The record lists the deployed release's container tasks: the live release's, after a rollback, may be others.
  const deployed = container === undefined ? undefined : deployedRelease(container.taskFamily, record);
  const tasksOf = deployed !== undefined && isReleaseId(liveAdmin) && liveAdmin !== deployed ? deployed : undefined;
  return {
    stage,
    platform: 'aws',
    aliases,
    ...(container === undefined
      ? {}
      : {
          container: {
            cluster: container.cluster,
            taskDefinition: isReleaseId(liveAdmin) ? taskFamilyOf(record.app, stage, liveAdmin) : container.taskFamily,
            tasks: container.tasks.map(({ name, timeLimitSeconds }) => ({ name, timeLimitSeconds })),
            ...(tasksOf === undefined ? {} : { tasksOf }),
          },
        }),
    releases: releasesOf(webVersions, adminVersions),
    notes,
  };
}

/** The release the stage record's task definition family is of (`<app>-<stage>-admin-<release>`): the deployed one. */
function deployedRelease(taskFamily: string, record: StageRecord): string | undefined {
  const prefix = taskFamilyPrefix(record.app, record.stage);
  const release = taskFamily.startsWith(prefix) ? taskFamily.slice(prefix.length) : undefined;
  return isReleaseId(release) ? release : undefined;
}

function targetOf(alias: AliasState | undefined, versions: readonly FunctionVersion[]): AliasTarget {
  if (alias === undefined) return MISSING;
  const releaseOf = (version: string): string => versions.find((entry) => entry.version === version)?.release ?? 'unknown';
  return {
    version: alias.version,
    release: releaseOf(alias.version),
    ...(alias.weights.length === 0
      ? {}
      : { additionalVersions: alias.weights.map(({ version, weight }) => ({ version, weight, release: releaseOf(version) })) }),
  };
}

/** The retained releases, newest first, each with its newest web and admin version. */
function releasesOf(webVersions: readonly FunctionVersion[], adminVersions: readonly FunctionVersion[]): ReleaseInfo[] {
  const releases = new Map<string, { createdAt: string; webVersion?: string; adminVersion?: string }>();
  const add = (version: FunctionVersion, side: 'webVersion' | 'adminVersion'): void => {
    if (version.release === undefined) return;
    const entry = releases.get(version.release) ?? { createdAt: version.createdAt };
    entry[side] = version.version;
    if (version.createdAt < entry.createdAt) entry.createdAt = version.createdAt;
    releases.set(version.release, entry);
  };
  webVersions.forEach((version) => add(version, 'webVersion'));
  adminVersions.forEach((version) => add(version, 'adminVersion'));
  return [...releases.entries()]
    .map(([release, entry]) => ({ release, ...entry }))
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

export { stageStatus };
