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
  it('invokes the admin alias with the admin event, as any schedule does: the scheduler role may neither run a task nor pass a role', async () => {
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
    expect(JSON.stringify(backfill?.Properties.Target.Arn)).toContain(logicalIdOf(app.adminAlias));
    expect(backfill?.Properties.Target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 0 });
    // The admin event, as the Lambda schedules send it: run id <schedule>-<execution id>, source schedule.
    expect(JSON.parse(evaluate(backfill?.Properties.Target.Input, {}) as string)).toEqual({
      task: 'notes:backfill',
      args: { batchSize: 1000 },
      runId: 'notes-prod-notes-backfill-<aws.scheduler.execution-id>',
      source: 'schedule',
      caller: 'notes-prod-notes-backfill',
    });
    // Only the admin function's role may start tasks and pass the task roles; no scheduler role may.
    const policies = template.findResources('AWS::IAM::Policy');
    const startingRoles = Object.values(policies)
      .filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes('ecs:RunTask'))
      .flatMap((policy) => (policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref));
    expect(startingRoles).toEqual([logicalIdOf(app.adminFunction.role!)]);
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
    ).rejects.toThrow(/schedules\[0\] runs notes:backfill, a container task .* but containerTasks is not set/);
  });
});
