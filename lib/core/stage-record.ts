import { RESERVED_KEY_PREFIX } from './parameter-set.js';

/**
 * What the CLI needs to know about an AWS stage, in one read: the CDK
 * construct writes it as one SSM String parameter (JSON) at
 * `/<app>/<stage>/_cnf/stage` on every deploy.
 */
interface StageRecord {
  /** The format of this record; bumped on incompatible changes. */
  readonly version: 1;
  /** The app name. */
  readonly app: string;
  /** The stage. */
  readonly stage: string;
  /** The AWS region the stage is deployed in. */
  readonly region: string;
  /** The alias name both functions' live aliases carry (`live`). */
  readonly aliasName: string;
  /** The parameter set's path, `/<app>/<stage>/`. */
  readonly parameterPath: string;
  /** The web function. */
  readonly web: FunctionRecord;
  /** The admin function, with its timeout. */
  readonly admin: FunctionRecord & {
    /** The admin function's timeout, so that no client timeout is shorter. */
    readonly timeoutSeconds: number;
  };
  /** The run ledger's DynamoDB table. */
  readonly ledgerTable?: string;
  /** Whether `cnf-admin console` may evaluate code on this stage. */
  readonly console: boolean;
  /** The ARN of the KMS key the stage's SecureStrings use, when not the AWS managed `aws/ssm`. */
  readonly parameterKey?: string;
  /** Where the stage runs its container tasks (ECS Fargate), when its release has any. */
  readonly container?: ContainerRecord;
}

/** What the CLI needs to start, follow and stop a stage's container tasks. */
interface ContainerRecord {
  /** The ECS cluster's ARN. */
  readonly cluster: string;
  /** The task definition family of the deployed release; a release's family is `<app>-<stage>-admin-<release>`. */
  readonly taskFamily: string;
  /** The container that runs the admin event. */
  readonly containerName: string;
  /** The subnets the tasks run in. */
  readonly subnets: readonly string[];
  /** The security groups of the tasks. */
  readonly securityGroups: readonly string[];
  /** Whether each task gets a public IP address. */
  readonly assignPublicIp: boolean;
  /** The task role (the tasks' permissions) and the execution role (image pull, logs): what RunTask passes. */
  readonly taskRole: string;
  /** The execution role's ARN. */
  readonly executionRole: string;
  /** The tasks of the deployed release that run as container tasks, with their time limits in seconds. */
  readonly tasks: readonly { readonly name: string; readonly timeLimitSeconds: number }[];
}

/** A function of the stage. */
interface FunctionRecord {
  /** The function's name, e.g. `<app>-<stage>-admin`. */
  readonly functionName: string;
  /** The name of the function's log group. */
  readonly logGroup: string;
}

/** The key of the stage record below `/<app>/<stage>/`. */
const STAGE_RECORD_KEY = `${RESERVED_KEY_PREFIX}stage`;

/** The SSM parameter path of a stage's parameter set: `/<app>/<stage>/`. */
function parameterPathOf(app: string, stage: string): string {
  return `/${app}/${stage}/`;
}

/** The SSM parameter name of a stage's record: `/<app>/<stage>/_cnf/stage`. */
function stageRecordName(app: string, stage: string): string {
  return `${parameterPathOf(app, stage)}${STAGE_RECORD_KEY}`;
}

const DESCRIPTION_PREFIX = 'cnf-admin release ';

/**
 * The description of a function version or alias that serves `release`:
 * how the CLI finds a release's versions on AWS.
 *
 * @example
 * releaseDescription('r-0123456789ab'); // 'cnf-admin release r-0123456789ab'
 */
function releaseDescription(release: string): string {
  return `${DESCRIPTION_PREFIX}${release}`;
}

/** The release a version or alias description names, or undefined when it names none. */
function releaseFromDescription(description: string | undefined): string | undefined {
  const match = /cnf-admin release (r-[0-9a-f]{12})/.exec(description ?? '');
  return match?.[1];
}

export { parameterPathOf, releaseDescription, releaseFromDescription, STAGE_RECORD_KEY, stageRecordName };
export type { ContainerRecord, FunctionRecord, StageRecord };
