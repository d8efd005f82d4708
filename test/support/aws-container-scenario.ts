/**
 * A stage with container tasks on ECS Fargate, as data for the AWS scenario:
 * the stage record's `container`, the log a container task writes, and the
 * states DescribeTasks answers.
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { ContainerRecord } from '../../lib/core/stage-record.js';
import type { RunResult } from '../../lib/core/run.js';
import { RELEASE, runLine, type AwsScenario, type ScenarioLogEvent, type ScenarioStream } from './aws-scenario.js';

/** The container task of the fixture's stage, and its time limit (4 hours and a minute). */
const CONTAINER_TASK = 'backfill';

/** The stage record's container part: cluster, family of the live release, network, roles, container tasks. */
const CONTAINER_RECORD: ContainerRecord = {
  cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/fixture-prod-admin',
  taskFamily: `fixture-prod-admin-${RELEASE}`,
  containerName: 'admin',
  subnets: ['subnet-private-a', 'subnet-private-b'],
  securityGroups: ['sg-tasks'],
  assignPublicIp: false,
  taskRole: 'arn:aws:iam::123456789012:role/fixture-prod-ContainerTasksTaskRole',
  executionRole: 'arn:aws:iam::123456789012:role/fixture-prod-ContainerTasksExecutionRole',
  tasks: [{ name: CONTAINER_TASK, timeLimitSeconds: 4 * 3600 + 60 }],
};

const STREAM = 'task/admin/0123456789abcdef';

/** What the gate logs once it has started the run's task. */
const STARTED_LINE = `Started ECS task 0123456789abcdef (fixture-prod-admin-${RELEASE}:3) for run $RUN_ID`;

/** The admin function's stream where the gate started the run's task. */
const GATE_STREAM = '2026/11/30/[5]0a1b2c3d4e5f';

/**
 * The log of a container run as CloudWatch holds it: the gate's line that
 * started the task and the gate invocation's REPORT, in the admin
 * function's stream, first (Fargate takes a while to start a task), then the
 * container's lines: its run's, and the runner's `Run result` line.
 */
function containerLog(exitCode: number, output?: unknown, from = Date.now()): ScenarioLogEvent[] {
  const line = (message: string, extra: Record<string, unknown> = {}) => runLine(message, { task: CONTAINER_TASK, ...extra });
  return [
    { message: line(STARTED_LINE), timestamp: from - 2, logStreamName: GATE_STREAM },
    {
      message: 'REPORT RequestId: $REQUEST_ID\tDuration: 812.31 ms\tBilled Duration: 813 ms\tMemory Size: 1024 MB\tMax Memory Used: 160 MB',
      timestamp: from - 1,
      logStreamName: GATE_STREAM,
    },
    { message: line('Run started'), timestamp: from + 1, logStreamName: STREAM },
    { message: line('Batch 1: up to note 500, 3 changed'), timestamp: from + 2, logStreamName: STREAM },
    { message: line('Run ended', { exitCode, durationMs: 42 }), timestamp: from + 3, logStreamName: STREAM },
    {
      message: JSON.stringify({
        level: exitCode === 0 ? 'INFO' : 'ERROR',
        message: 'Run result',
        runId: '$RUN_ID',
        result: { runId: '$RUN_ID', task: CONTAINER_TASK, release: RELEASE, exitCode, durationMs: 42, output },
      }),
      timestamp: from + 4,
      logStreamName: STREAM,
    },
  ];
}

/** The task stopped after its container exited with `exitCode` (two DescribeTasks running first). */
function exitedStates(exitCode: number, extra: Partial<Task> = {}): Partial<Task>[] {
  return [
    { lastStatus: 'PENDING' },
    { lastStatus: 'RUNNING' },
    {
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'admin', exitCode, lastStatus: 'STOPPED' }],
      memory: '2048',
      ...extra,
    },
  ];
}

/** The ECS task the admin function starts for a run. */
const TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/fixture-prod-admin/0123456789abcdef';

/** The release's task definition revision, as the admin function's environment names it. */
const TASK_DEFINITION = `arn:aws:ecs:eu-west-1:123456789012:task-definition/fixture-prod-admin-${RELEASE}:3`;

/** What the admin function answers when it has claimed a run and started its task: the start, as a run result. */
function startedResult(extra: Partial<RunResult> = {}): RunResult {
  return {
    runId: '$RUN_ID',
    task: CONTAINER_TASK,
    release: RELEASE,
    exitCode: 0,
    durationMs: 180,
    container: { taskArn: TASK_ARN, taskDefinition: TASK_DEFINITION, cluster: CONTAINER_RECORD.cluster },
    ...extra,
  };
}

/** The admin function's streamed answer to an event: its log line, then its result. */
function gateStream(result: RunResult, line = STARTED_LINE): ScenarioStream {
  return {
    frames: [
      { type: 'log', line: runLine(line, { task: CONTAINER_TASK }) },
      { type: 'result', result },
    ],
  };
}

/** A healthy stage whose record has container tasks, whose admin function starts them, over `overrides`. */
function containerScenario(overrides: Partial<AwsScenario> = {}): Partial<AwsScenario> {
  return {
    record: { container: CONTAINER_RECORD },
    // What cnf:describe answers (the check before a --detach or --dry-run): the release's tasks, this one among them.
    catalog: {
      tasks: [{ name: CONTAINER_TASK, description: 'A long task', args: { type: 'object' }, lock: false, runtime: 'container' }],
      scripts: [],
    },
    stream: gateStream(startedResult()),
    invoke: { payload: JSON.stringify(startedResult()) },
    ecs: { states: exitedStates(0) },
    logEvents: containerLog(0),
    ...overrides,
  };
}

export {
  CONTAINER_RECORD,
  CONTAINER_TASK,
  containerLog,
  containerScenario,
  exitedStates,
  gateStream,
  startedResult,
  STREAM as CONTAINER_STREAM,
  TASK_ARN,
};
