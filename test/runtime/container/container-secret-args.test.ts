/**
 * A container run's event travels in RunTask's overrides, which ECS shows
 * (DescribeTasks) and CloudTrail keeps: the admin function refuses (64) a
 * container run given a secret as an arg, before the claim and before RunTask.
 */
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import type { RunResult } from '../../../lib/core/run.js';
import { createAdminHandler } from '../../../lib/runtime/admin-handler.js';
import { defineTask } from '../../../lib/runtime/define-task.js';
import { FileLedger } from '../../../lib/runtime/ledger/file-ledger.js';
import { tempDir } from '../../support/temp-dir.js';
import { GATE_TASK_ARN as TASK_ARN, stubGateEnvironment } from '../../support/gate-settings.js';

const SECURE = 'Secure-Value-In-Arg-5e1d';

const signIn = defineTask({
  name: 'sign-in',
  description: 'Signs in, in a container',
  args: z.strictObject({ user: z.string(), note: z.string().default(''), code: z.string().optional(), apiToken: z.string().optional() }),
  options: { runtime: 'container', timeoutSeconds: 3600, sensitiveArgs: ['code'] },
  run: async () => undefined,
});

const ecs = mockClient(ECSClient);
const ssm = mockClient(SSMClient);
let ledger: FileLedger;

const invoke = (event: Record<string, unknown>): Promise<RunResult> =>
  createAdminHandler({ tasks: { 'sign-in': async () => ({ default: signIn }) }, ledger })(event, {});

beforeEach(() => {
  ecs.reset();
  ssm.reset();
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
  ssm
    .on(GetParametersByPathCommand)
    .resolves({ Parameters: [{ Name: '/fixture/prod/PEM', Type: 'SecureString', Value: SECURE, Version: 1 }] });
  ledger = new FileLedger(tempDir('cnf-secret-args-ledger'));
  stubGateEnvironment();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('a container run given a secret as an arg', () => {
  it.each([
    ['a sensitive arg', '20261130-000000-sec101', ['--user', 'bob', '--code', 'Sensitive-Code-77aa'], 'Sensitive-Code-77aa', '"code"'],
    ['a secure value of the stage', '20261130-000000-sec102', ['--user', 'bob', '--note', `see ${SECURE}`], SECURE, '"note"'],
  ])('is refused (64) for %s, before the claim and RunTask', async (_, runId, argv, secret, named) => {
    const result = await invoke({ task: 'sign-in', argv, runId, source: 'cli', caller: 'alice' });
    expect(result).toMatchObject({ exitCode: 64, error: { name: 'InvalidArgs' } });
    expect(result.error?.message).toContain(`takes no secret as an arg; ${named} would be one`);
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(ecs.commandCalls(RunTaskCommand)).toEqual([]);
    expect(await ledger.get(runId)).toBeUndefined();
  });

  it('starts with an arg whose name only looks secret, which the ledger masks by its name (maxTokens, bypassCache: no refusal)', async () => {
    const result = await invoke({
      task: 'sign-in',
      argv: ['--user', 'bob', '--api-token', 'Token-By-Name-88bb'],
      runId: '20261130-000000-sec001',
      source: 'cli',
    });
    expect(result).toMatchObject({ exitCode: 0, container: { taskArn: TASK_ARN } });
    expect((await ledger.get('20261130-000000-sec001'))?.args).toMatchObject({ apiToken: '[redacted]' });
  });

  it('starts with args that hold no secret', async () => {
    const result = await invoke({ task: 'sign-in', argv: ['--user', 'bob'], runId: '20261130-000000-sec000', source: 'cli' });
    expect(result).toMatchObject({ exitCode: 0, container: { taskArn: TASK_ARN } });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
  });
});
