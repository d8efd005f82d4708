import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../lib/core/errors.js';
import { RELEASE } from '../../support/aws-scenario.js';
import { fixturePlatform } from '../../support/aws-platform.js';
import { useAwsScenario } from '../../support/aws-test-scenario.js';

const given = useAwsScenario();

const run = (runId: string, task: string, startedAt: string, extra: Record<string, unknown> = {}) => ({
  runId,
  task,
  args: { count: 1 },
  release: RELEASE,
  source: 'cli',
  caller: 'arn:aws:sts::123456789012:assumed-role/operator/alice',
  startedAt,
  log: '/aws/lambda/fixture-prod-admin:2026/11/24/[5]abc request 9f0c',
  ...extra,
});

const LEDGER = [
  run('r1', 'migrate', '2026-11-24T10:00:00.000Z', { endedAt: '2026-11-24T10:00:02.000Z', exitCode: 0, durationMs: 2000 }),
  run('r2', 'echo', '2026-11-24T11:00:00.000Z', {
    endedAt: '2026-11-24T11:00:01.000Z',
    exitCode: 1,
    durationMs: 1000,
    error: { name: 'Error', message: 'boom' },
  }),
  run('r3', 'migrate', '2026-11-24T12:00:00.000Z', { args: { dryRun: true } }),
];

describe('LedgerReader (runs on AWS stages)', () => {
  it("lists runs newest first from the table's byStartedAt index", async () => {
    // given
    const installed = given({ ledger: LEDGER });

    // when
    const runs = await fixturePlatform().runs({ limit: 2 });

    // then
    expect(runs.map((record) => record.runId)).toEqual(['r3', 'r2']);
    expect(runs[0]?.args).toEqual({ dryRun: true });
    expect(runs[1]).toMatchObject({ exitCode: 1, durationMs: 1000, error: { name: 'Error', message: 'boom' } });
    expect(installed.sent().find((call) => call.command === 'QueryCommand')?.input).toMatchObject({
      TableName: 'fixture-prod-runs',
      IndexName: 'byStartedAt',
      ScanIndexForward: false,
      Limit: 2,
    });
  });

  it("lists one task's runs from the byTask index", async () => {
    // given
    given({ ledger: LEDGER });

    // when
    const runs = await fixturePlatform().runs({ task: 'migrate' });

    // then
    expect(runs.map((record) => record.runId)).toEqual(['r3', 'r1']);
  });

  it('reads one run by its key, and nothing for an unknown one', async () => {
    // given
    given({ ledger: LEDGER });
    const platform = fixturePlatform();

    // when / then
    expect(await platform.run('r1')).toEqual({ ...LEDGER[0], args: { count: 1 } });
    expect(await platform.run('nope')).toBeUndefined();
  });

  it('exits 69 when the stage record names no ledger table', async () => {
    // given
    given({ record: { ledgerTable: undefined } });

    // when / then
    await expect(fixturePlatform().runs({})).rejects.toBeInstanceOf(UnavailableError);
  });
});
