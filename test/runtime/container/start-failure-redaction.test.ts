/**
 * What ECS says when it starts no task (RunTask's `failures[].reason` and
 * `detail`, or the error it answers) is free text the admin function shows
 * (its answer, which the CLI prints, and its log, which the CLI streams) and
 * records in the ledger: it goes out without the stage's secure values, as
 * ECS's stop reasons do, and not at all where the config that names them
 * cannot be read.
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
import { stubGateEnvironment } from '../../support/gate-settings.js';

const SECURE = 'Secure-Value-In-Reason-9f3a';

const backfill = defineTask({
  name: 'backfill',
  description: 'Long work, in a container',
  args: z.strictObject({}),
  options: { runtime: 'container', timeoutSeconds: 3600 },
  run: async () => undefined,
});

const ecs = mockClient(ECSClient);
const ssm = mockClient(SSMClient);
let ledger: FileLedger;
/** Everything the admin function wrote to stdout and stderr: its log, which the CLI streams. */
let written: string[];

const invoke = (runId: string): Promise<RunResult> =>
  createAdminHandler({ tasks: { backfill: async () => ({ default: backfill }) }, ledger })(
    { task: 'backfill', args: {}, runId, source: 'cli', caller: 'alice' },
    {},
  );

/** An error as the SDK throws it for an answer ECS gave with `status`. */
function ecsError(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

beforeEach(() => {
  ecs.reset();
  ssm.reset();
  ssm
    .on(GetParametersByPathCommand)
    .resolves({ Parameters: [{ Name: '/fixture/prod/START_TOKEN', Type: 'SecureString', Value: SECURE, Version: 1 }] });
  ledger = new FileLedger(tempDir('cnf-start-failure-ledger'));
  stubGateEnvironment();
  written = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('a container run ECS started no task for', () => {
  it.each([
    [
      'answered failures (a reason and its detail)',
      '20261130-000000-red001',
      () =>
        ecs.on(RunTaskCommand).resolves({
          tasks: [],
          failures: [
            {
              arn: `arn:aws:ecs:eu-west-1:123456789012:container-instance/${SECURE}`,
              reason: `ATTRIBUTE START_TOKEN=${SECURE}`,
              detail: SECURE,
            },
          ],
        }),
      69,
    ],
    [
      'answered no capacity',
      '20261130-000000-red002',
      () => ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: `RESOURCE:MEMORY (START_TOKEN=${SECURE})` }] }),
      75,
    ],
    [
      'refused (a 4xx)',
      '20261130-000000-red003',
      () => ecs.on(RunTaskCommand).rejects(ecsError('InvalidParameterException', `Bad override START_TOKEN=${SECURE}`, 400)),
      69,
    ],
    [
      'failed on its side (a 5xx: whether a task started is not known)',
      '20261130-000000-red004',
      () => ecs.on(RunTaskCommand).rejects(ecsError('ServerException', `Failed for START_TOKEN=${SECURE}`, 500)),
      69,
    ],
  ])('says why, and records it, without a secure value ECS quotes: %s', async (_, runId, answer, exitCode) => {
    // given
    answer();

    // when
    const result = await invoke(runId);

    // then: told, with the secret taken out, in the answer, the ledger and the log
    expect(result).toMatchObject({ exitCode, error: { name: expect.stringMatching(/^ContainerStart/) } });
    expect(result.error?.message).toContain('START_TOKEN=[redacted]');
    const record = await ledger.get(runId);
    expect(record?.error?.message).toContain('START_TOKEN=[redacted]');
    expect(written.join('')).toContain('START_TOKEN=[redacted]');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
    expect(JSON.stringify(result)).not.toContain(SECURE);
    expect(JSON.stringify(record)).not.toContain(SECURE);
    expect(written.join('')).not.toContain(SECURE);
  });

  it("tells none of ECS's words where the config that names the secure values cannot be read, but why it cannot and what to do", async () => {
    // given: the parameter set cannot be read, so no secure value is known to take out
    ssm
      .on(GetParametersByPathCommand)
      .rejects(Object.assign(new Error('not authorized to perform: ssm:GetParametersByPath'), { name: 'AccessDeniedException' }));
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: `ATTRIBUTE START_TOKEN=${SECURE}`, detail: SECURE }] });
    const runId = '20261130-000000-red005';

    // when
    const result = await invoke(runId);

    // then
    expect(result).toMatchObject({ exitCode: 69, error: { name: 'ContainerStartFailed' } });
    expect(result.error?.message).toContain(
      "[ECS's words are not shown: they may quote a secure value, and the stage's config, which names them, could not be read (Cannot read the parameter set /fixture/prod/: not authorized to perform: ssm:GetParametersByPath). Mend that, and send the same invoke again: ECS's words are then told]; nothing started.",
    );
    const record = await ledger.get(runId);
    expect(JSON.stringify([result, record])).not.toContain(SECURE);
    expect(written.join('')).not.toContain(SECURE);
  });
});
