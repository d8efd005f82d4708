import * as z from 'zod/mini';
import { RESERVED_KEY_PREFIX } from './parameter-set.js';
import { useSchemaMessages } from './schema-messages.js';

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
  /** The CloudFormation stack that deploys the stage: `rollback` refuses while it is being deployed. */
  readonly stack?: string;
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

/** A string with something in it. */
const filled = (): z.ZodMiniString => z.string().check(z.minLength(1));

const functionRecordSchema = z.object({ functionName: filled(), logGroup: filled() });

const containerRecordSchema = z.object({
  cluster: filled(),
  taskFamily: filled(),
  containerName: filled(),
  subnets: z.array(z.string()).check(z.minLength(1)),
  securityGroups: z.array(z.string()).check(z.minLength(1)),
  assignPublicIp: z.boolean(),
  taskRole: filled(),
  executionRole: filled(),
  tasks: z.array(z.object({ name: filled(), timeLimitSeconds: z.number().check(z.positive()) })),
}) satisfies z.ZodMiniType<ContainerRecord>;

/**
 * What a stage record must look like to be believed, every field of it: the
 * CLI reads a record through this schema only, so a damaged record (a
 * `"console": "yes"`, a `container` without its network) is a clear error
 * naming the field, never a failure later on.
 */
const stageRecordSchema = z.object({
  version: z.literal(1),
  app: filled(),
  stage: filled(),
  region: filled(),
  aliasName: filled(),
  parameterPath: z.string().check(z.startsWith('/')),
  web: functionRecordSchema,
  admin: z.extend(functionRecordSchema, { timeoutSeconds: z.number().check(z.positive()) }),
  ledgerTable: z.optional(filled()),
  console: z.boolean(),
  parameterKey: z.optional(filled()),
  container: z.optional(containerRecordSchema),
  stack: z.optional(filled()),
}) satisfies z.ZodMiniType<StageRecord>;

/**
 * A stage record read from JSON, or what is wrong with it in one phrase
 * naming the field (`"console": expected boolean, got "yes"`).
 */
function parseStageRecord(
  value: unknown,
): { readonly ok: true; readonly record: StageRecord } | { readonly ok: false; readonly problem: string } {
  useSchemaMessages();
  const parsed = stageRecordSchema.safeParse(value);
  if (parsed.success) return { ok: true, record: parsed.data };
  const problems = parsed.error.issues.slice(0, 2).map((issue) => {
    const field = issue.path.map(String).join('.');
    const got = issue.path.reduce<unknown>(
      (at, key) => (typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[key] : undefined),
      value,
    );
    return `"${field}": ${issue.message.replace(/^Invalid input: /, '')}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`;
  });
  return { ok: false, problem: problems.join('; ') };
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

export { parameterPathOf, parseStageRecord, releaseDescription, releaseFromDescription, STAGE_RECORD_KEY, stageRecordName };
export type { ContainerRecord, FunctionRecord, StageRecord };
