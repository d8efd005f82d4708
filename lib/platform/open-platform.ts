/*
 * The CLI's one door to lib/platform: it opens a stage's platform here and
 * then asks the platform what it can do (its optional capabilities, typed in
 * lib/core/platform-capabilities.ts). Nothing in lib/cli imports
 * lib/platform/local or lib/platform/aws; the few things the CLI needs
 * without opening a platform (help's examples, the offline policy) are
 * functions of this module. Two other doors: local-early.ts answers what
 * `invoke` and `deploy` ask of the local stage before this module (and the
 * local platform with it) has loaded, and open-local-database.ts opens the
 * embedded database for `db`.
 */
import type { PolicyDocument } from '../core/operator-permissions.js';
import type { Platform } from '../core/platform.js';
import type { Progress } from '../core/progress.js';
import type { Project } from '../core/project.js';
import type { Stage } from '../core/stage.js';
import type { TaskCatalog } from '../core/task-catalog.js';
import { readAliasTarget } from './local/alias-store.js';
import { localPaths } from './local/local-paths.js';
import { readRelease } from './local/release-store.js';
import { releaseStandbyRunner } from './local/standby-runner.js';

/** How to reach a stage's platform. */
interface OpenPlatformOptions {
  /** The AWS profile, for AWS stages. */
  readonly profile?: string;
  /** The AWS region, for AWS stages. */
  readonly region?: string;
  /** How long an attached invoke on AWS waits after the run for the rest of its log. */
  readonly settleMs?: number;
  /** Told what the platform is doing when it takes a while. */
  readonly progress: Progress;
}

/**
 * The platform a stage lives on: the local one, or AWS (whose SDK loads
 * only for AWS stages, so the local stage never pays for it). Each loads
 * when opened: `db` and help, which use this module without a platform,
 * load neither.
 */
async function openPlatform(project: Project, stage: Stage, options: OpenPlatformOptions): Promise<Platform> {
  if (stage.platform === 'local') {
    const { LocalPlatform } = await import('./local/local-platform.js');
    return new LocalPlatform(project, stage, options.progress);
  }
  // A run on AWS needs no process here: one the shim started for a local run ends now.
  releaseStandbyRunner();
  const [{ AwsPlatform }, { assertNamedProfileExists }] = await Promise.all([
    import('./aws/aws-platform.js'),
    import('./aws/named-profile.js'),
  ]);
  await assertNamedProfileExists(options.profile);
  return new AwsPlatform(project, stage, {
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.settleMs === undefined ? {} : { timing: { settleMs: options.settleMs } }),
    progress: options.progress,
  });
}

/**
 * The release behind an alias pair of the project's local stage and its
 * catalog, read only from local state (nothing built or started), for
 * help's examples; undefined before the first deploy.
 *
 * @throws CnfError when local state cannot be read.
 */
async function localReleaseCatalog(project: Project, alias: string): Promise<{ release: string; catalog: TaskCatalog } | undefined> {
  const paths = localPaths(project);
  const release = await readAliasTarget(paths, alias);
  const stored = release === undefined ? undefined : await readRelease(paths, release);
  if (release === undefined || stored === undefined) return undefined;
  return { release, catalog: stored.catalog };
}

/** An AWS stage named before any access to it: cdk.json's names, and the account and region given. */
interface OfflineStage {
  readonly project: Project;
  readonly stage: Stage;
  /** 12 digits. */
  readonly account: string;
  readonly region: string;
}

/**
 * The operator policy of an AWS stage that cannot be reached yet (no
 * credentials): built from cdk.json's names and the construct's
 * conventions, with the container part only when the project declares
 * container tasks. It is no capability of a platform, since none can be
 * opened; the AWS modules load only when it is asked for.
 */
async function offlineOperatorPolicy(offline: OfflineStage): Promise<PolicyDocument> {
  const { conventionalPolicy, declaresContainerTasks } = await import('./aws/operator-policy.js');
  const containerTasks = await declaresContainerTasks(offline.project);
  return conventionalPolicy({
    app: offline.project.app,
    stage: offline.stage.name,
    account: offline.account,
    region: offline.region,
    containerTasks,
  });
}

export { localReleaseCatalog, offlineOperatorPolicy, openPlatform };
export type { OfflineStage, OpenPlatformOptions };
