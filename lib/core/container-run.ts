import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { CNF_VARIABLES, cnfEnvironment, readCnfEnvironment } from './cnf-environment.js';
import type { AdminEvent } from './run.js';
import { useSchemaMessages } from './schema-messages.js';
import type { StageRecord } from './stage-record.js';

/** The name of the admin container in a container task's task definition. */
const ADMIN_CONTAINER_NAME = 'admin';

/** The awslogs stream prefix of container tasks: their streams are `task/admin/<task id>` in the admin log group. */
const CONTAINER_LOG_STREAM_PREFIX = 'task';

/** The message of a container task's last log line, which carries its whole run result as `result`. */
const RUN_RESULT_MESSAGE = 'Run result';

/** What the admin function needs to start its release's container task: written by the construct, read by the runtime. */
interface ContainerSettings {
  /** The ECS cluster's ARN. */
  readonly cluster: string;
  /** The ARN of the release's task definition (one revision). */
  readonly taskDefinition: string;
  /** The container that runs the admin event. */
  readonly containerName: string;
  /** The subnets the tasks run in. */
  readonly subnets: readonly string[];
  /** The security groups of the tasks. */
  readonly securityGroups: readonly string[];
  /** Whether each task gets a public IP address. */
  readonly assignPublicIp: boolean;
}

const containerSettingsSchema = z.strictObject({
  cluster: z.string().check(z.minLength(1)),
  taskDefinition: z.string().check(z.minLength(1)),
  containerName: z.string().check(z.minLength(1)),
  subnets: z.array(z.string()).check(z.minLength(1)),
  securityGroups: z.array(z.string()).check(z.minLength(1)),
  assignPublicIp: z.boolean(),
}) satisfies z.ZodMiniType<ContainerSettings>;

/**
 * The container settings of the admin function's environment, or why they are unusable.
 *
 * @returns undefined when the variable is unset (the release has no container tasks on this stage)
 */
function readContainerSettings(env: Readonly<Record<string, string | undefined>>): ContainerSettings | string | undefined {
  const raw = readCnfEnvironment(env).containerSettings;
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return `${CNF_VARIABLES.containerSettings} is not JSON: ${(error as Error).message}`;
  }
  useSchemaMessages();
  const parsed = containerSettingsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `${CNF_VARIABLES.containerSettings} is invalid: ${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'unknown'}`;
}

/**
 * What the admin function answers for a container run it started (`RunResult.container`).
 *
 * @example
 * const started: ContainerStarted = {
 *   taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/notes-prod-admin/0123456789abcdef',
 *   taskDefinition: 'notes-prod-admin-r-6765a295784c',
 *   cluster: 'notes-prod-admin',
 * };
 */
interface ContainerStarted {
  /** The ECS task's ARN. */
  readonly taskArn: string;
  /** The task definition it runs (the release's revision). */
  readonly taskDefinition: string;
  /** The cluster it runs on. */
  readonly cluster: string;
}

/**
 * The whole of a container task's RunTask override: its event, its time
 * limit, and that its run is claimed. Nothing a caller chose beyond the
 * event, which the admin function has validated.
 */
function containerOverrideEnvironment(
  event: AdminEvent & { readonly runId: string },
  timeLimitSeconds: number,
): { readonly name: string; readonly value: string }[] {
  const variables = cnfEnvironment({ adminEvent: JSON.stringify(event), timeLimitSeconds, runClaimed: true });
  return Object.entries(variables).map(([name, value]) => ({ name, value }));
}

/** RunTask's `clientToken` is at most 64 characters. */
const CLIENT_TOKEN_MAX = 64;

/**
 * The `startedBy` of a run's ECS task, by which `cnf-admin stop` finds it:
 * the run id, with `.` (which `startedBy` does not allow) written as `/`
 * (which run ids never hold), so that no two run ids share one.
 */
function startedByOf(runId: string): string {
  return runId.replaceAll('.', '/');
}

/**
 * RunTask's `clientToken` for a run: the run id itself when it fits in 64
 * characters (a retried RunTask then starts nothing twice), else a hash of it.
 */
function clientTokenOf(runId: string): string {
  return runId.length <= CLIENT_TOKEN_MAX ? runId : createHash('sha256').update(runId).digest('hex').slice(0, CLIENT_TOKEN_MAX);
}

/** The container task `task` is on the stage, with its time limit, or undefined when it runs on Lambda there. */
function containerTaskOf(record: StageRecord, task: string): { readonly name: string; readonly timeLimitSeconds: number } | undefined {
  return record.container?.tasks.find((candidate) => candidate.name === task);
}

export {
  ADMIN_CONTAINER_NAME,
  clientTokenOf,
  CONTAINER_LOG_STREAM_PREFIX,
  containerOverrideEnvironment,
  containerTaskOf,
  readContainerSettings,
  RUN_RESULT_MESSAGE,
  startedByOf,
};
export type { ContainerSettings, ContainerStarted };
