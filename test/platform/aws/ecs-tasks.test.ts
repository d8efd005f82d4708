/**
 * Watching a container run's ECS task (DescribeTasks, mocked with
 * aws-sdk-client-mock): a task ECS no longer knows, and one that stays
 * starting for long, are told instead of waited on in silence.
 */
import { DescribeTasksCommand, ECSClient, type Task } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForStop, type EcsTarget } from '../../../lib/platform/aws/ecs-tasks.js';
import { CONTAINER_RECORD, TASK_ARN } from '../../support/aws-container-scenario.js';

const ecs = mockClient(ECSClient);
afterEach(() => ecs.reset());

const target: EcsTarget = { ecs: new ECSClient({ region: 'eu-west-1' }), record: CONTAINER_RECORD, stage: 'prod' };

/** DescribeTasks answers these states, one per call, the last one repeated. */
function answering(...states: (Partial<Task> | 'MISSING')[]): void {
  let call = 0;
  ecs.on(DescribeTasksCommand).callsFake(() => {
    const state = states[Math.min(call, states.length - 1)];
    call += 1;
    return state === 'MISSING'
      ? { tasks: [], failures: [{ arn: TASK_ARN, reason: 'MISSING' }] }
      : { tasks: [{ taskArn: TASK_ARN, ...state }], failures: [] };
  });
}

describe('waitForStop', () => {
  it('returns missing once ECS answers a task it told MISSING again and again', async () => {
    answering({ lastStatus: 'RUNNING' }, 'MISSING');
    expect(await waitForStop(target, TASK_ARN, { pollMs: 1 })).toBe('missing');
  });

  it('gives a task ECS has never told its minute: MISSING after MISSING right after the start is waited through', async () => {
    answering(...Array<'MISSING'>(8).fill('MISSING'), { lastStatus: 'RUNNING' }, { lastStatus: 'STOPPED' });
    expect(await waitForStop(target, TASK_ARN, { pollMs: 1 })).toMatchObject({ lastStatus: 'STOPPED' });
    answering('MISSING');
    expect(await waitForStop(target, TASK_ARN, { pollMs: 1, neverToldMs: 0 })).toBe('missing');
  });

  it('waits on through a MISSING answer or two right after the start, as ECS may not know a new task yet', async () => {
    answering('MISSING', 'MISSING', { lastStatus: 'RUNNING' }, { lastStatus: 'STOPPED' });
    expect(await waitForStop(target, TASK_ARN, { pollMs: 1 })).toMatchObject({ lastStatus: 'STOPPED' });
  });

  it('tells once that the task is still starting, and goes on waiting', async () => {
    answering({ lastStatus: 'PROVISIONING' }, { lastStatus: 'PROVISIONING' }, { lastStatus: 'PENDING' }, { lastStatus: 'STOPPED' });
    const told: string[] = [];
    const stopped = await waitForStop(target, TASK_ARN, { pollMs: 1, slowStartMs: 0, onSlowStart: (status) => told.push(status) });
    expect(stopped).toMatchObject({ lastStatus: 'STOPPED' });
    expect(told).toEqual(['PROVISIONING']);
  });
});
