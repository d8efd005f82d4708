import { UsageError } from '../core/errors.js';
import type { Platform } from '../core/platform.js';
import type { Progress } from '../core/progress.js';
import { findProject, stageOf, type Project } from '../core/project.js';
import type { Stage } from '../core/stage.js';
import type { AwsPlatform } from '../platform/aws/aws-platform.js';
import { LocalPlatform } from '../platform/local/local-platform.js';
import type { CliIo } from './io.js';
import { progressFor } from './progress.js';
import { CNF_VARIABLES, readCnfEnvironment } from '../core/cnf-environment.js';

/** The flags every stage-bound command takes. */
interface StageOptions {
  /** @default 'local' */
  readonly stage?: string;
  /** The AWS profile, for AWS stages. */
  readonly profile?: string;
  /** The AWS region, for AWS stages. */
  readonly region?: string;
  /** `--json`: stdout is one JSON document, and stderr shows no spinner. */
  readonly json?: boolean;
}

/** A command's view of its stage. */
interface StageContext {
  readonly project: Project;
  readonly stage: Stage;
  readonly platform: Platform;
  /** Where the command and its platform say what they wait for. */
  readonly progress: Progress;
}

/**
 * Finds the project around the working directory and opens the stage a
 * command names.
 *
 * @throws UsageError outside a project, or for an unknown stage.
 */
async function openStage(io: CliIo, options: StageOptions): Promise<StageContext> {
  const project = findProject(io.cwd);
  const stage = stageOf(project, options.stage ?? 'local');
  const progress = progressFor(io, options);
  if (stage.platform === 'local') {
    // A task's own --region would otherwise be taken for the AWS one, and ignored: cnf-admin's flags go before --, a task's after.
    const awsFlag = options.region !== undefined ? '--region' : options.profile !== undefined ? '--profile' : undefined;
    if (awsFlag !== undefined) {
      throw new UsageError(`${awsFlag} is for AWS stages; stage ${stage.name} runs on this machine.`, {
        hint: `A task's own ${awsFlag} goes after --, e.g. cnf-admin invoke <task> -- ${awsFlag} <value>`,
      });
    }
    return { project, stage, progress, platform: new LocalPlatform(project, stage, progress) };
  }
  // The AWS SDK loads only for AWS stages: the local stage never pays for it.
  const { AwsPlatform } = await import('../platform/aws/aws-platform.js');
  const settleMs = logWaitMs(io.env);
  const platform = new AwsPlatform(project, stage, {
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(settleMs === undefined ? {} : { timing: { settleMs } }),
    progress,
  });
  return { project, stage, progress, platform };
}

/**
 * `CNF_LOG_WAIT_SECONDS`: how long an attached invoke on AWS waits after the
 * run for CloudWatch to deliver the rest of its log.
 *
 * @throws UsageError when it is not a number of seconds.
 */
function logWaitMs(env: NodeJS.ProcessEnv): number | undefined {
  const text = readCnfEnvironment(env).logWaitSeconds;
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new UsageError(`${CNF_VARIABLES.logWaitSeconds} takes a number of seconds, got: ${JSON.stringify(text)}`);
  return seconds * 1000;
}

/**
 * The local platform of a command that only the local stage has (deploy, serve).
 *
 * @throws UsageError naming what to do instead on an AWS stage.
 */
async function openLocalStage(
  io: CliIo,
  options: StageOptions,
  command: string,
  instead: string,
): Promise<StageContext & { readonly platform: LocalPlatform }> {
  const context = await openStage(io, options);
  if (!(context.platform instanceof LocalPlatform)) {
    throw new UsageError(`cnf-admin ${command} is for the local stage; stage ${context.stage.name} is on AWS.`, { hint: instead });
  }
  return context as StageContext & { readonly platform: LocalPlatform };
}

/**
 * The platform of a command that only AWS stages have (policy).
 *
 * @throws UsageError on the local stage.
 */
async function openAwsStage(io: CliIo, options: StageOptions, command: string): Promise<StageContext & { readonly platform: AwsPlatform }> {
  const context = await openStage(io, options);
  if (context.platform.kind !== 'aws') {
    throw new UsageError(`cnf-admin ${command} is for AWS stages; stage ${context.stage.name} is local.`, {
      hint: `Name an AWS stage, e.g. cnf-admin ${command} --stage prod`,
    });
  }
  return context as StageContext & { readonly platform: AwsPlatform };
}

export { openAwsStage, openLocalStage, openStage };
export type { StageContext, StageOptions };
