/**
 * A run whose admin function cannot read its parameter set (a value SSM no
 * longer keeps, or a read the function's role may not make) ends 69: its
 * record carries the config version the caller planned, from its claim on,
 * and its error says what to do.
 */
import { GetParametersByPathCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { LIVE_PAIR_KEY } from '../../lib/core/live-pair-record.js';
import type { RunResult } from '../../lib/core/run.js';
import { createAdminHandler } from '../../lib/runtime/admin-handler.js';
import { defineTask } from '../../lib/runtime/define-task.js';
import { FileLedger } from '../../lib/runtime/ledger/file-ledger.js';
import { tempDir } from '../support/temp-dir.js';

const PATH = '/fixture/prod/';

const report = defineTask({
  name: 'report',
  description: 'Reads the config',
  args: z.strictObject({}),
  run: async () => undefined,
});

const ssm = mockClient(SSMClient);
let ledger: FileLedger;

/** The admin function's answer to an event of the CLI that planned config v10. */
const invoke = (runId: string): Promise<RunResult> =>
  createAdminHandler({ tasks: { report: async () => ({ default: report }) }, ledger })(
    { task: 'report', args: {}, runId, source: 'cli', caller: 'alice', configVersion: 10 },
    {},
  );

beforeEach(() => {
  ssm.reset();
  ledger = new FileLedger(tempDir('cnf-unreadable-config-ledger'));
  vi.stubEnv('CNF_PARAMETER_PATH', PATH);
  vi.stubEnv('CNF_STAGE', 'prod');
  vi.stubEnv('CNF_RELEASE', 'r-0123456789ab');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('a run whose parameter set cannot be read', () => {
  it('records the config version the CLI planned, and says how to find a whole one, where SSM no longer keeps a value it names', async () => {
    // given: config v10, which is live, names GREETING:999, which SSM no longer keeps
    const live = { release: 'r-0123456789ab', config: 10, keys: { GREETING: { version: 999, secure: false } } };
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        { Name: `${PATH}${LIVE_PAIR_KEY}`, Type: 'String', Value: JSON.stringify(live), Version: 12 },
        { Name: `${PATH}GREETING`, Type: 'String', Value: 'hello', Version: 1000 },
      ],
    });
    ssm.on(GetParametersCommand).resolves({ Parameters: [], InvalidParameters: [`${PATH}GREETING:999`] });
    const runId = '20261130-000000-cfg001';

    // when
    const result = await invoke(runId);

    // then
    expect(result).toMatchObject({ exitCode: 69, error: { name: 'ConfigError' } });
    expect(result.error?.message).toBe(
      `Cannot read config v10: SSM no longer holds ${PATH}GREETING:999. See which config versions are whole with: cnf-admin config history --stage prod (RESTORABLE yes); set a gone value again with cnf-admin config set KEY --stage prod, or make a whole version live with cnf-admin config rollback vN --stage prod; then run the task again.`,
    );
    expect(await ledger.get(runId)).toMatchObject({ exitCode: 69, configVersion: 10, error: result.error });
  });

  it('records the config version the CLI planned, and names the permission to mend, where the read is denied', async () => {
    // given
    ssm
      .on(GetParametersByPathCommand)
      .rejects(Object.assign(new Error('not authorized to perform: ssm:GetParametersByPath'), { name: 'AccessDeniedException' }));
    const runId = '20261130-000000-cfg002';

    // when
    const result = await invoke(runId);

    // then
    expect(result).toMatchObject({ exitCode: 69, error: { name: 'ConfigError' } });
    expect(result.error?.message).toContain(`Cannot read the parameter set ${PATH}: not authorized to perform: ssm:GetParametersByPath.`);
    expect(result.error?.message).toContain("The admin function's role may not read the stage's parameters");
    expect(await ledger.get(runId)).toMatchObject({ exitCode: 69, configVersion: 10 });
  });
});
