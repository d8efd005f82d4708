import { UsageError } from '../core/errors.js';
import type { Platform } from '../core/platform.js';
import type { CloudStageCapability, LocalStageCapability } from '../core/platform-capabilities.js';
import type { Progress } from '../core/progress.js';
import { findProject, stageOf, type Project } from '../core/project.js';
import type { Stage } from '../core/stage.js';
import { openPlatform } from '../platform/open-platform.js';
import type { CliIo } from './io.js';
import { progressFor } from './progress.js';
import { CNF_VARIABLES, readCnfEnvironment } from '../core/cnf-environment.js';

/** The flags every stage-bound command takes. */
interface StageOptions {
  /** `--stage`; its default is declared with the flag (command-options.ts). */
  readonly stage: string;
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
  const stage = stageOf(project, options.stage);
  const progress = progressFor(io, options);
  if (stage.platform === 'local') {
    // A task's own --region would otherwise be taken for the AWS one, and ignored: cnf-admin's flags go before --, a task's after.
    const awsFlag = options.region !== undefined ? '--region' : options.profile !== undefined ? '--profile' : undefined;
    if (awsFlag !== undefined) {
      throw new UsageError(`${awsFlag} is for AWS stages; stage ${stage.name} runs on this machine.`, {
        hint: `A task's or a script's own ${awsFlag} goes after --: cnf-admin invoke <task> -- ${awsFlag} <value>, or cnf-admin run <script> -- ${awsFlag} <value>`,
      });
    }
    return { project, stage, progress, platform: await openPlatform(project, stage, { progress }) };
  }
  const settleMs = logWaitMs(io.env);
  const platform = await openPlatform(project, stage, {
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(settleMs === undefined ? {} : { settleMs }),
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
 * The stage of a command that only a stage on this machine has (deploy,
 * serve), with its platform's local-stage capability.
 *
 * @throws UsageError naming what to do instead on an AWS stage.
 */
async function openLocalStage(
  io: CliIo,
  options: StageOptions,
  command: string,
  instead: string,
): Promise<StageContext & { readonly localStage: LocalStageCapability }> {
  const context = await openStage(io, options);
  const localStage = context.platform.localStage;
  if (localStage === undefined) {
    throw new UsageError(`cnf-admin ${command} is for the local stage; stage ${context.stage.name} is on AWS.`, { hint: instead });
  }
  return { ...context, localStage };
}

/**
 * The stage of a command that only AWS stages have (policy, stop of a
 * container run), with its platform's cloud-stage capability.
 *
 * @throws UsageError on the local stage.
 */
async function openAwsStage(
  io: CliIo,
  options: StageOptions,
  command: string,
): Promise<StageContext & { readonly cloudStage: CloudStageCapability }> {
  const context = await openStage(io, options);
  const cloudStage = context.platform.cloudStage;
  if (cloudStage === undefined) {
    throw new UsageError(`cnf-admin ${command} is for AWS stages; stage ${context.stage.name} is local.`, {
      hint: `Name an AWS stage, e.g. cnf-admin ${command} --stage prod`,
    });
  }
  return { ...context, cloudStage };
}

export { openAwsStage, openLocalStage, openStage };
export type { StageContext, StageOptions };
