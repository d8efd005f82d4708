import { CnfError, PermissionError, UnavailableError, UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { findProject, stageOf } from '../../core/project.js';
import { offlineOperatorPolicy } from '../../platform/open-platform.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { openAwsStage } from '../stage-context.js';
import type { CommandOptions } from '../command-options.js';

/** The options of `cnf-admin policy`, as its flags declare them (`--stage` has no default here: it names an AWS stage). */
type PolicyCommandOptions = CommandOptions<'policy'>;

/**
 * `cnf-admin policy --stage <aws stage>`: prints the least-privilege IAM
 * policy an operator needs to run cnf-admin against the stage, as JSON.
 *
 * With `--account` (and a region: `--region`, the stage's in cdk.json, or
 * `AWS_REGION`) it needs no access at all: it is built from cdk.json's names
 * and the construct's conventions, so that an administrator can grant an
 * operator access before the operator has any. Without `--account` it reads
 * the deployed stage (its record and the caller's account), which also
 * covers a customer managed key of the parameter set.
 */
async function policy(options: PolicyCommandOptions, io: CliIo): Promise<number> {
  if (options.account !== undefined) return offlinePolicy(options.account, options, io);
  if (options.stage === undefined) throw stageNeeded(io);
  const { cloudStage, stage } = await openAwsStage(io, { ...options, stage: options.stage }, 'policy');
  let document;
  try {
    document = await cloudStage.policy();
  } catch (error) {
    if (!(error instanceof PermissionError || error instanceof UnavailableError)) throw error;
    throw withOfflineHint(error, stage.name);
  }
  writeJson(io, document);
  writeLine(io.stderr, `The IAM policy an operator needs for cnf-admin on stage ${stage.name}; attach it to their role or group.`);
  return ExitCode.OK;
}

/** `--account`: the policy from cdk.json's names, without access to AWS. */
async function offlinePolicy(account: string, options: PolicyCommandOptions, io: CliIo): Promise<number> {
  if (options.stage === undefined) throw stageNeeded(io);
  const project = findProject(io.cwd);
  const stage = stageOf(project, options.stage);
  if (stage.platform !== 'aws') {
    throw new UsageError(`cnf-admin policy is for AWS stages; stage ${stage.name} is local.`, {
      hint: `Name an AWS stage, e.g. cnf-admin policy --stage ${awsStages(io)[0] ?? 'prod'} --account ${account}`,
    });
  }
  const region = options.region ?? stage.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (region === undefined || region === '') {
    throw new UsageError(`policy --account needs the region of stage ${stage.name}.`, {
      hint: `Pass it: cnf-admin policy --stage ${stage.name} --account ${account} --region eu-west-1`,
    });
  }
  writeJson(io, await offlineOperatorPolicy({ project, stage, account, region }));
  writeLine(
    io.stderr,
    `The IAM policy an operator needs for cnf-admin on stage ${stage.name} (account ${account}, ${region}), from cdk.json's names; attach it to their role or group.`,
  );
  writeLine(io.stderr, 'If the stage encrypts its parameters with a customer managed key, print it again with access to add that key.');
  return ExitCode.OK;
}

function awsStages(io: CliIo): string[] {
  return [...findProject(io.cwd).stages.values()].filter((stage) => stage.platform === 'aws').map((stage) => stage.name);
}

function stageNeeded(io: CliIo): UsageError {
  const stages = awsStages(io);
  return new UsageError(
    `policy needs --stage: the AWS stage the policy is for (${stages.length === 0 ? 'this project has none' : stages.join(', ')}).`,
    { hint: `For example: cnf-admin policy --stage ${stages[0] ?? 'prod'}` },
  );
}

/** Without access to the stage, the error says how to print the policy anyway. */
function withOfflineHint(error: CnfError, stage: string): CnfError {
  const hint = `${error.hint === undefined ? '' : `${error.hint}\n`}Print the policy without access to AWS: cnf-admin policy --stage ${stage} --account <12-digit id> --region <region>`;
  return error instanceof PermissionError
    ? new PermissionError(error.message, { hint, cause: error })
    : new UnavailableError(error.message, { hint, cause: error });
}

export { policy };
export type { PolicyCommandOptions };
