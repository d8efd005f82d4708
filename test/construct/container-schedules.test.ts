import { Template } from 'aws-cdk-lib/assertions';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { AdminApp } from '../../lib/construct/admin-app.js';
import { evaluate, logicalIdOf, newStack, notesBundle, removeOutdirs } from './support/admin-app-stack.js';

afterAll(removeOutdirs);

function network(stack: Stack) {
  const vpc = Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123',
    availabilityZones: ['eu-west-1a'],
    privateSubnetIds: ['subnet-private-a'],
  });
  return { vpc, securityGroups: [SecurityGroup.fromSecurityGroupId(stack, 'Tasks', 'sg-tasks', { mutable: false })] };
}

describe('a schedule on a container task', () => {
  it('starts it with ECS RunTask through EventBridge Scheduler, with the schedules’ run id scheme and the execution id as client token', async () => {
    const stack = newStack();
    const app = new AdminApp(stack, 'App', {
      app: 'notes',
      stage: 'prod',
      bundle: await notesBundle(),
      containerTasks: network(stack),
      schedules: [
        { task: 'notes:backfill', args: { batchSize: 1000 }, schedule: 'cron(0 2 ? * SUN *)' },
        { task: 'notes:purge', args: { olderThanDays: 365 }, schedule: 'rate(1 day)' },
      ],
    });
    const template = Template.fromStack(stack);
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    const backfill = schedules.find((schedule) => schedule.Properties.Name === 'notes-prod-notes-backfill');
    expect(JSON.stringify(backfill?.Properties.Target.Arn)).toContain(':scheduler:::aws-sdk:ecs:runTask');
    expect(backfill?.Properties.Target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 0 });
    const input = JSON.parse(evaluate(backfill?.Properties.Target.Input, {}) as string) as {
      clientToken: string;
      startedBy: string;
      launchType: string;
      taskDefinition: string;
      networkConfiguration: { awsvpcConfiguration: { subnets: string[]; securityGroups: string[]; assignPublicIp: string } };
      overrides: { containerOverrides: { name: string; environment: { name: string; value: string }[] }[] };
    };
    expect(input).toMatchObject({
      clientToken: '<aws.scheduler.execution-id>',
      startedBy: 'notes-prod-notes-backfill-<aws.scheduler.execution-id>',
      launchType: 'FARGATE',
      taskDefinition: `<${logicalIdOf(app.containerTasks!.taskDefinition)}>`,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-private-a'], securityGroups: ['sg-tasks'], assignPublicIp: 'DISABLED' },
      },
    });
    const [container] = input.overrides.containerOverrides;
    expect(container?.name).toBe('admin');
    const variables = Object.fromEntries(container?.environment.map((entry) => [entry.name, entry.value]) ?? []);
    // The admin event, as the Lambda schedules send it: run id <schedule>-<execution id>, source schedule.
    expect(JSON.parse(variables.CNF_ADMIN_EVENT ?? '{}')).toEqual({
      task: 'notes:backfill',
      args: { batchSize: 1000 },
      runId: 'notes-prod-notes-backfill-<aws.scheduler.execution-id>',
      source: 'schedule',
      caller: 'notes-prod-notes-backfill',
    });
    expect(variables.CNF_TIME_LIMIT_SECONDS).toBe(String(4 * 3600 + 60));
    // A Lambda task's schedule still invokes the admin alias.
    const purge = schedules.find((schedule) => schedule.Properties.Name === 'notes-prod-notes-purge');
    expect(JSON.stringify(purge?.Properties.Target.Arn)).toContain(logicalIdOf(app.adminAlias));
    // Its role may run this task definition, and pass only the two task roles.
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('ecs:RunTask');
    expect(policies).toContain('iam:PassedToService');
    expect(new AwsSolutionsChecks().validateScope(stack).violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it('is refused at synth when the app does not say where container tasks run', async () => {
    await expect(
      (async () =>
        new AdminApp(newStack(), 'App', {
          app: 'notes',
          stage: 'prod',
          bundle: await notesBundle(),
          schedules: [{ task: 'notes:backfill', schedule: 'rate(1 day)' }],
        }))(),
    ).rejects.toThrow(/A schedule runs notes:backfill, a container task .* but containerTasks is not set/);
  });
});
