import { ContextAttribute, ScheduleTargetInput, type IScheduleTarget } from 'aws-cdk-lib/aws-scheduler';
import { Universal } from 'aws-cdk-lib/aws-scheduler-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { startedByOf } from '../../core/container-run.js';
import type { AdminEvent } from '../../core/run.js';
import { AdminAppPropsError } from '../errors.js';
import type { ContainerTasks } from '../container-tasks.js';

/**
 * The target of a schedule on a container task: ECS RunTask through
 * EventBridge Scheduler's universal target (`aws-sdk:ecs:runTask`), whose
 * input is the RunTask request itself, so that it can carry the admin event
 * in the container's overrides (the templated ECS target cannot).
 *
 * The run id scheme is the Lambda schedules' (`<schedule>-<execution id>`,
 * substituted by Scheduler), so a redelivered execution runs once: its
 * RunTask carries the execution id as its client token (ECS starts nothing
 * twice), and the ledger claims the run id before anything runs. The task
 * definition is this deploy's release's.
 *
 * @throws AdminAppPropsError when the task is a container task and the app has no `containerTasks`.
 */
function containerScheduleTarget(
  containerTasks: ContainerTasks | undefined,
  event: AdminEvent,
  scheduleName: string,
  deadLetterQueue: IQueue,
): IScheduleTarget {
  if (containerTasks === undefined) {
    throw new AdminAppPropsError(
      `A schedule runs ${event.task}, a container task (runtime: 'container'), but containerTasks is not set: give the app the VPC and security groups its container tasks run with.`,
    );
  }
  const { record, taskDefinition, taskRole, executionRole } = containerTasks;
  const task = record.tasks.find((candidate) => candidate.name === event.task);
  const environment = [
    { name: 'CNF_ADMIN_EVENT', value: JSON.stringify(event) },
    { name: 'CNF_TIME_LIMIT_SECONDS', value: String(task?.timeLimitSeconds ?? '') },
  ];
  return new Universal({
    service: 'ecs',
    action: 'runTask',
    input: ScheduleTargetInput.fromObject({
      cluster: record.cluster,
      taskDefinition: taskDefinition.taskDefinitionArn,
      launchType: 'FARGATE',
      count: 1,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: record.subnets,
          securityGroups: record.securityGroups,
          assignPublicIp: record.assignPublicIp ? 'ENABLED' : 'DISABLED',
        },
      },
      overrides: { containerOverrides: [{ name: record.containerName, environment }] },
      clientToken: ContextAttribute.executionId,
      startedBy: `${startedByOf(scheduleName)}-${ContextAttribute.executionId}`,
    }),
    policyStatements: [
      new PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [taskDefinition.taskDefinitionArn],
        conditions: { ArnEquals: { 'ecs:cluster': record.cluster } },
      }),
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [taskRole.roleArn, executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    ],
    retryAttempts: 0,
    deadLetterQueue,
  });
}

export { containerScheduleTarget };
