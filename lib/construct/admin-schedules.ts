import { Duration, type TimeZone } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AdminEvent } from '../core/run.js';
import type { TaskCatalog } from '../core/task-catalog.js';
import { ConstructValidationError } from './errors.js';
import { assertArgsFit, catalogTask } from './private/catalog-task.js';
import type { ContainerTasks } from './container-tasks.js';
import { runtimeOf } from '../core/task-runtime.js';

/** One scheduled run of an admin task. */
interface AdminScheduleOptions {
  /** The task to run; the release must have it. */
  readonly task: string;
  /**
   * The task's args; every arg the task requires must be here.
   *
   * @default - no args
   */
  readonly args?: Readonly<Record<string, unknown>>;
  /** When to run: an EventBridge Scheduler expression, `rate(1 day)`, `cron(0 3 * * ? *)` or `at(2030-01-01T00:00:00)`. */
  readonly schedule: string;
  /**
   * The schedule's name (1-64 letters, digits, `-`, `_`, `.`); runs record it as their caller.
   *
   * @default - `<app>-<stage>-<task>`, with `:` in the task name turned into `-`
   */
  readonly name?: string;
  /**
   * The time zone `cron` and `at` expressions are read in.
   *
   * @default TimeZone.ETC_UTC
   */
  readonly timeZone?: TimeZone;
  /**
   * Whether the schedule runs; a disabled schedule stays deployed.
   *
   * @default true
   */
  readonly enabled?: boolean;
}

/** Props of {@link AdminSchedules}. */
interface AdminSchedulesProps {
  /** The app name; default schedule names start with it. */
  readonly app: string;
  /** The stage; default schedule names carry it. */
  readonly stage: string;
  /** The admin alias every schedule invokes (never `$LATEST`, never a fixed version). */
  readonly target: IFunction;
  /** The release whose catalog the tasks must be in. */
  readonly release: string;
  /** The release's task catalog, which each schedule's task and args are checked against. */
  readonly catalog: TaskCatalog;
  /** The scheduled runs to create. */
  readonly schedules: readonly AdminScheduleOptions[];
  /**
   * Where the release's container tasks run. A schedule on one invokes the
   * admin alias, as any schedule does, and the admin function starts the
   * task (the scheduler's role may only invoke the alias: no RunTask, no PassRole).
   *
   * @default - no container tasks: a schedule on one is refused
   */
  readonly containerTasks?: ContainerTasks;
}

const SCHEDULE_EXPRESSION = /^(rate|cron|at)\(.+\)$/;
const SCHEDULE_NAME = /^[0-9A-Za-z_.-]{1,64}$/;

/**
 * The run id a schedule sends: its name, then the id EventBridge Scheduler
 * gives the execution (`<aws.scheduler.execution-id>`, substituted when it
 * invokes).
 *
 * Exactly once: Scheduler documents the execution id as "the unique ID that
 * EventBridge Scheduler assigns for each attempted invocation of a target",
 * and numbers that invocation's attempts apart (`<aws.scheduler.attempt-number>`),
 * so every delivery of one execution carries the same run id. Its input is
 * substituted before the Invoke is sent, so a duplicate from Lambda's
 * asynchronous queue carries the same bytes too. The ledger claims the run id
 * before anything runs, so a second delivery runs nothing; the next execution
 * has a new id and runs. (`<aws.scheduler.scheduled-time>` is as stable, but
 * its `:` is not allowed in a run id.)
 *
 * A run id starts with a letter or digit: a name that does not (`_nightly`)
 * is prefixed with `schedule`. A name is at most 64 characters, so the run id
 * leaves 55 of its 128 for the execution id (the documented example has 16).
 */
function scheduledRunIdOf(name: string): string {
  const prefix = /^[A-Za-z0-9]/.test(name) ? name : `schedule${name}`;
  return `${prefix}-${ContextAttribute.executionId}`;
}

/**
 * Scheduled maintenance: one EventBridge Scheduler schedule per entry, each
 * sending the admin event `{ task, args, runId, source: 'schedule', caller: <name> }`
 * to the admin alias, so a schedule always runs the live release. The run id
 * is fixed per execution, so a redelivered one runs nothing (see `scheduledRunIdOf`).
 *
 * A schedule never retries (a failed purge must not silently run again).
 * Invocations that Scheduler cannot deliver go to an encrypted dead-letter
 * queue, and an alarm goes off when that queue holds a message.
 */
class AdminSchedules extends Construct {
  /** Where undeliverable scheduled invocations end up. */
  readonly deadLetterQueue: Queue;
  /** In alarm while the dead-letter queue holds a message; add an action to be told. */
  readonly deadLetterAlarm: Alarm;
  /** The schedules, in the order given. */
  readonly schedules: readonly Schedule[];

  constructor(scope: Construct, id: string, props: AdminSchedulesProps) {
    super(scope, id);
    const entries = props.schedules.map((options, index) => checkSchedule(this, props, options, index));
    const seen = new Set<string>();
    for (const { name } of entries) {
      if (seen.has(name)) {
        throw new ConstructValidationError(this, `Two schedules are named ${JSON.stringify(name)}; give each a name of its own.`);
      }
      seen.add(name);
    }
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `A scheduled admin run of ${props.app} ${props.stage} could not be delivered; see the dead-letter queue.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.schedules = entries.map(({ name, options, event }) => {
      return new Schedule(this, name, {
        scheduleName: name,
        description: `cnf-admin: run ${options.task} on ${props.app} ${props.stage}`,
        schedule: ScheduleExpression.expression(options.schedule, options.timeZone),
        // A container task's schedule goes through the admin function too: it validates, claims and starts the task.
        target: new LambdaInvoke(props.target, {
          input: ScheduleTargetInput.fromObject(event),
          retryAttempts: 0,
          deadLetterQueue: this.deadLetterQueue,
        }),
        timeWindow: TimeWindow.off(),
        enabled: options.enabled ?? true,
      });
    });
  }
}

/** Checks one schedule and makes its name and admin event. */
function checkSchedule(scope: Construct, props: AdminSchedulesProps, options: AdminScheduleOptions, index: number) {
  const where = `schedules[${index}]`;
  const task = catalogTask(scope, props.catalog, props.release, options.task, `${where}.task`);
  const args = options.args ?? {};
  assertArgsFit(scope, task, args, `${where}.args`);
  if (!SCHEDULE_EXPRESSION.test(options.schedule)) {
    throw new ConstructValidationError(
      scope,
      `${where}.schedule must be rate(...), cron(...) or at(...), e.g. "rate(1 day)", got: ${JSON.stringify(options.schedule)}`,
    );
  }
  const name = options.name ?? `${props.app}-${props.stage}-${options.task.replaceAll(':', '-')}`;
  if (!SCHEDULE_NAME.test(name)) {
    throw new ConstructValidationError(scope, `${where}.name must be 1-64 letters, digits, '-', '_' or '.', got: ${JSON.stringify(name)}`, {
      hint: options.name === undefined ? `Give the schedule a shorter name with ${where}.name.` : undefined,
    });
  }
  if (runtimeOf(task) === 'container' && props.containerTasks === undefined) {
    throw new ConstructValidationError(
      scope,
      `${where} runs ${options.task}, a container task (runtime: 'container'), but containerTasks is not set: give the app the VPC and security groups its container tasks run with.`,
    );
  }
  const event: AdminEvent = { task: options.task, args, runId: scheduledRunIdOf(name), source: 'schedule', caller: name };
  return { name, options, event };
}

export { AdminSchedules };
export type { AdminScheduleOptions, AdminSchedulesProps };
