import type { LambdaClient } from './sdk/lambda.js';
import { releaseOfPair } from '../../core/alias-pair.js';
import { UnavailableError } from '../../core/errors.js';
import { DEFAULT_ALIAS, type AliasTarget, type InvokePlan, type ReleaseTarget } from '../../core/platform.js';
import type { StageRecord } from '../../core/stage-record.js';
import type { FunctionNames } from '../../core/stage-names.js';
import { functionNamesOf } from './discovery.js';
import { readAlias, type AliasState } from './function-aliases.js';
import { listVersions, releaseOfVersion, type FunctionVersion } from './function-versions.js';

/** What resolution starts from. */
interface ResolveInput {
  readonly lambda: LambdaClient;
  readonly stage: string;
  /** The stage record, already being read: the aliases are read at the same time. */
  readonly record: Promise<StageRecord>;
  /** The function names by convention, used before the record has arrived. */
  readonly names: FunctionNames;
}

/**
 * Finds what `invoke` runs against, in one round trip in the usual case: the
 * web and admin aliases, and the versions they point at, are read while the
 * stage record is (the function names are known by convention), and each
 * version's own description names its release. Further calls happen only when there is more to know: the record
 * names other functions or another alias than the convention; a canary is
 * in progress (the primary's and the canary's own version descriptions); or
 * a retained release is picked by id (the versions' descriptions).
 *
 * @throws ReleaseMismatchError (78) when web and admin serve different releases.
 * @throws UnavailableError (69) when an alias or the picked release is missing.
 */
async function resolvePlan(input: ResolveInput, target: ReleaseTarget): Promise<InvokePlan> {
  if (target.release !== undefined) return planForRelease(input, target.release);
  const alias = target.alias ?? DEFAULT_ALIAS;
  const early = readPair(input, input.names, alias);
  // Read while the record is; if the record fails, its error is the one to report.
  early.catch(() => undefined);
  const record = await input.record;
  const names = functionNamesOf(record);
  const wanted = target.alias ?? record.aliasName;
  const conventional = names.web === input.names.web && names.admin === input.names.admin && wanted === alias;
  const [web, admin] = conventional ? await early : await readPair(input, names, wanted);
  return planForPair(input, web, admin);
}

function readPair(input: ResolveInput, names: FunctionNames, alias: string): Promise<[AliasState, AliasState]> {
  return Promise.all([readAlias(input.lambda, names.web, alias, input.stage), readAlias(input.lambda, names.admin, alias, input.stage)]);
}

async function planForPair(input: ResolveInput, web: AliasState, admin: AliasState): Promise<InvokePlan> {
  const [webTarget, adminTarget] = await Promise.all([targetOf(input, web), targetOf(input, admin)]);
  const canary = webTarget.additionalVersions ?? [];
  const notices: string[] = [];
  let adminVersion = adminTarget.version;
  if (adminTarget.release !== webTarget.release) {
    const primaryAdmin = canary.length === 0 ? undefined : await latestVersionOf(input, admin.functionName, webTarget.release);
    if (primaryAdmin === undefined) releaseOfPair({ name: web.name, web: webTarget, admin: adminTarget }, input.stage);
    adminVersion = primaryAdmin?.version ?? adminVersion;
    notices.push(
      `admin:${admin.name} points at ${adminTarget.release}; running admin version ${adminVersion} of the primary release instead.`,
    );
  }
  for (const extra of canary) {
    notices.unshift(
      `Canary on web:${web.name}: release ${extra.release} (version ${extra.version}) takes ${percent(extra.weight)}% of web traffic; ` +
        `this runs against the primary release ${webTarget.release}.`,
    );
  }
  return {
    stage: input.stage,
    alias: web.name,
    release: webTarget.release,
    webVersion: webTarget.version,
    adminVersion,
    qualifier: adminVersion,
    notices,
  };
}

/** The release behind an alias: its version's own description, read with it, or looked up (a canary's versions too). */
async function targetOf(input: ResolveInput, alias: AliasState): Promise<AliasTarget & { readonly release: string }> {
  const lookUp = (version: string) =>
    releaseOfVersion(input.lambda, alias.functionName, version, input.stage).then((release) => known(alias, version, release));
  const split = alias.weights.length > 0;
  const [release, additionalVersions] = await Promise.all([
    alias.versionRelease ?? lookUp(alias.version),
    Promise.all(alias.weights.map(async ({ version, weight }) => ({ version, weight, release: await lookUp(version) }))),
  ]);
  return { version: alias.version, release, ...(split ? { additionalVersions } : {}) };
}

function known(alias: AliasState, version: string, release: string | undefined): string {
  if (release !== undefined) return release;
  throw new UnavailableError(
    `Version ${version} of ${alias.functionName} names no release in its description: cnf-admin did not deploy it.`,
    {
      hint: 'Deploy the stage with the cnf-admin construct (npx cdk deploy), which stamps every version with its release.',
    },
  );
}

async function planForRelease(input: ResolveInput, release: string): Promise<InvokePlan> {
  const early = listPair(input, input.names);
  early.catch(() => undefined);
  const names = functionNamesOf(await input.record);
  const sameNames = names.web === input.names.web && names.admin === input.names.admin;
  const [webVersions, adminVersions] = sameNames ? await early : await listPair(input, names);
  const admin = latestOf(adminVersions, release);
  if (admin === undefined) {
    const retained = [...new Set(adminVersions.flatMap((version) => (version.release === undefined ? [] : [version.release])))].reverse();
    throw new UnavailableError(`Stage ${input.stage} retains no admin version of release ${release}.`, {
      hint: retained.length === 0 ? 'The stage retains no releases.' : `Retained releases, newest first: ${retained.join(', ')}`,
    });
  }
  const web = latestOf(webVersions, release);
  return {
    stage: input.stage,
    alias: undefined,
    release,
    webVersion: web?.version ?? 'none',
    adminVersion: admin.version,
    qualifier: admin.version,
    notices: web === undefined ? [`The web function retains no version of ${release}; running its admin version ${admin.version}.`] : [],
  };
}

function listPair(input: ResolveInput, names: FunctionNames): Promise<[FunctionVersion[], FunctionVersion[]]> {
  return Promise.all([listVersions(input.lambda, names.web, input.stage), listVersions(input.lambda, names.admin, input.stage)]);
}

async function latestVersionOf(input: ResolveInput, functionName: string, release: string): Promise<FunctionVersion | undefined> {
  return latestOf(await listVersions(input.lambda, functionName, input.stage), release);
}

/** The newest version of a release (a release republished with other settings has several). */
function latestOf(versions: readonly FunctionVersion[], release: string): FunctionVersion | undefined {
  return versions.filter((version) => version.release === release).at(-1);
}

function percent(weight: number): number {
  return Math.round(weight * 1000) / 10;
}

export { resolvePlan };
export type { ResolveInput };
