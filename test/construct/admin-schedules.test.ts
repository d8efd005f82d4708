import { TimeZone } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidRunId } from '../../lib/core/run.js';
import type { AdminApp } from '../../lib/construct/admin-app.js';
import { adminAppStack, logicalIdOf, removeOutdirs } from './support/admin-app-stack.js';

/** What EventBridge Scheduler puts in place of the execution id: the documented example, and a UUID's length. */
const EXECUTION_IDS = ['d32c5kddcf5bb8c3', '0123abcd-4567-89ef-0123-456789abcdef'];
const EXECUTION_ID = '<aws.scheduler.execution-id>';

let app: AdminApp;
let template: Template;

beforeAll(async () => {
  ({ app, template } = await adminAppStack({
    schedules: [
      { task: 'notes:purge', args: { olderThanDays: 365 }, schedule: 'rate(1 day)' },
      { task: 'seed', schedule: 'cron(0 3 ? * MON *)', name: 'weekly-seed', timeZone: TimeZone.EUROPE_BERLIN, enabled: false },
    ],
  }));
});

afterAll(removeOutdirs);

function scheduleNamed(name: string) {
  const [schedule] = Object.values(template.findResources('AWS::Scheduler::Schedule', { Properties: { Name: name } }));
  if (schedule === undefined) throw new Error(`no schedule ${name}`);
  return schedule.Properties as { Target: { Input: string } & Record<string, unknown> } & Record<string, unknown>;
}

describe('AdminSchedules', () => {
  it('invokes the admin alias, not $LATEST nor a version, with the admin event of source "schedule"', () => {
    const schedule = scheduleNamed('notes-prod-notes-purge');
    expect(schedule).toMatchObject({
      ScheduleExpression: 'rate(1 day)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: { Arn: { Ref: logicalIdOf(app.adminAlias) } },
    });
    expect(JSON.parse(schedule.Target.Input)).toEqual({
      task: 'notes:purge',
      args: { olderThanDays: 365 },
      runId: `notes-prod-notes-purge-${EXECUTION_ID}`,
      source: 'schedule',
      caller: 'notes-prod-notes-purge',
    });
  });

  it("sends the execution's id in the run id, so that every delivery of one execution has the same run id", () => {
    for (const name of ['notes-prod-notes-purge', 'weekly-seed']) {
      const { runId } = JSON.parse(scheduleNamed(name).Target.Input) as { runId: string };
      // Scheduler substitutes the placeholder; nothing else in the run id varies between deliveries.
      expect(runId.split(EXECUTION_ID)).toEqual([`${name}-`, '']);
      for (const id of EXECUTION_IDS) expect(isValidRunId(runId.replace(EXECUTION_ID, id)), id).toBe(true);
    }
  });

  it('keeps the run id valid for the longest schedule name, and for a name that does not start with a letter or digit', async () => {
    const longest = 'n'.repeat(64);
    const { template: named } = await adminAppStack({
      schedules: [
        { task: 'seed', schedule: 'rate(1 day)', name: longest },
        { task: 'seed', schedule: 'rate(2 days)', name: '_nightly.seed' },
      ],
    });
    const runIdOf = (name: string) => {
      const [schedule] = Object.values(named.findResources('AWS::Scheduler::Schedule', { Properties: { Name: name } }));
      return (JSON.parse((schedule?.Properties as { Target: { Input: string } }).Target.Input) as { runId: string }).runId;
    };
    expect(runIdOf('_nightly.seed')).toBe(`schedule_nightly.seed-${EXECUTION_ID}`);
    for (const name of [longest, '_nightly.seed']) {
      for (const id of EXECUTION_IDS) expect(isValidRunId(runIdOf(name).replace(EXECUTION_ID, id)), `${name} ${id}`).toBe(true);
    }
  });

  it('never retries, and sends what it cannot deliver to the dead-letter queue', () => {
    const queue = logicalIdOf(app.schedules!.deadLetterQueue);
    for (const name of ['notes-prod-notes-purge', 'weekly-seed']) {
      expect(scheduleNamed(name).Target).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 0 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
      });
    }
  });

  it('takes a name, a time zone and a disabled state', () => {
    const schedule = scheduleNamed('weekly-seed');
    expect(schedule).toMatchObject({
      ScheduleExpression: 'cron(0 3 ? * MON *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'DISABLED',
    });
    expect(JSON.parse(schedule.Target.Input)).toEqual({
      task: 'seed',
      args: {},
      runId: `weekly-seed-${EXECUTION_ID}`,
      source: 'schedule',
      caller: 'weekly-seed',
    });
  });

  it('keeps the dead-letter queue encrypted, SSL-only and for 14 days, with an alarm on any message in it', () => {
    const queue = logicalIdOf(app.schedules!.deadLetterQueue);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it("lets Scheduler's role invoke the admin alias and write to the queue, and nothing else", () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })] } },
    });
    expect(Object.keys(roles)).toHaveLength(1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Object.keys(roles)[0] }],
      PolicyDocument: {
        Statement: [
          { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { Ref: logicalIdOf(app.adminAlias) } },
          { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalIdOf(app.schedules!.deadLetterQueue), 'Arn'] } },
        ],
      },
    });
  });

  it('adds no schedule, queue or alarm when there are no schedules', async () => {
    const { app: plain, template: plainTemplate } = await adminAppStack();
    expect(plain.schedules).toBeUndefined();
    for (const type of ['AWS::Scheduler::Schedule', 'AWS::SQS::Queue', 'AWS::CloudWatch::Alarm']) plainTemplate.resourceCountIs(type, 0);
  });
});
