/**
 * The runtime's AWS SDK clients as the package ships them: bundled into
 * dist/lib/runtime/vendor/ (tools/build-runtime-vendor.mjs), which an app's
 * release carries in place of the SDK's packages (umzug, bundled there too,
 * migrates the example app in the end-to-end tests). The built runtime's
 * parameter provider, run ledger and container gate speak to a fake AWS on
 * 127.0.0.1 over the real wire, as an admin function does on Lambda: each
 * answer, errors included, reads as the SDK's packages would read it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ContainerGate as ContainerGateClass } from '../../lib/runtime/container/container-gate.js';
import type { DynamoLedger as DynamoLedgerClass } from '../../lib/runtime/ledger/dynamo-ledger.js';
import type { SsmParameterProvider as SsmParameterProviderClass } from '../../lib/runtime/ssm-parameter-provider.js';
import { healthyScenario } from '../support/aws-scenario.js';
import { fakeAwsSettings, startFakeAws, type FakeAws } from '../support/fake-aws-server.js';

const DIST_RUNTIME = '../../dist/lib/runtime';

let aws: FakeAws;
beforeAll(async () => {
  aws = await startFakeAws(healthyScenario());
  for (const [name, value] of Object.entries(fakeAwsSettings(aws.url))) vi.stubEnv(name, value);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await aws.close();
});

describe("the runtime's bundled SDK clients", () => {
  it('are what the built runtime imports: no import of an SDK package is left in them', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const module of ['ssm-parameter-provider.js', 'ledger/dynamo-ledger.js', 'container/container-gate.js']) {
      const code = await readFile(new URL(`${DIST_RUNTIME}/${module}`, import.meta.url), 'utf8');
      expect(code, module).toMatch(/vendor\/(ssm|dynamodb|ecs)\.js/);
      expect(code, module).not.toMatch(/from ["']@aws-sdk\/client-/);
    }
  });

  it('read parameter versions from SSM, a SecureString as secure', async () => {
    aws.ssm.put('/shop/prod/GREETING', 'hello');
    aws.ssm.put('/shop/prod/TOKEN', 'not-a-real-token', 'SecureString');
    const { SsmParameterProvider } = (await import(`${DIST_RUNTIME}/ssm-parameter-provider.js`)) as {
      SsmParameterProvider: typeof SsmParameterProviderClass;
    };
    const values = await new SsmParameterProvider().getSelected(['/shop/prod/GREETING:1', '/shop/prod/TOKEN:1']);
    expect(values).toEqual({
      '/shop/prod/GREETING:1': { value: 'hello', secure: false, version: 1 },
      '/shop/prod/TOKEN:1': { value: 'not-a-real-token', secure: true, version: 1 },
    });
  });

  it('claim a run in the ledger once: a second claim meets the conditional check and reads the first', async () => {
    const { DynamoLedger } = (await import(`${DIST_RUNTIME}/ledger/dynamo-ledger.js`)) as { DynamoLedger: typeof DynamoLedgerClass };
    const ledger = new DynamoLedger('shop-prod-ledger');
    const record = {
      runId: '20261205-101500-bundle',
      task: 'migrate',
      args: {},
      release: 'r-aaaaaaaaaaaa',
      source: 'cli' as const,
      caller: 'arn:aws:iam::123456789012:user/ops',
      startedAt: '2026-12-05T10:15:00.000Z',
      log: 'shop-prod-admin/2026/12/05/[$LATEST]abc',
    };
    expect(await ledger.claim(record)).toEqual({ claimed: true });
    const again = await ledger.claim({ ...record, caller: 'arn:aws:iam::123456789012:user/other' });
    expect(again).toMatchObject({ claimed: false, existing: { runId: record.runId, caller: record.caller } });
    expect(await ledger.get(record.runId)).toMatchObject({ task: 'migrate', release: 'r-aaaaaaaaaaaa' });
  });

  it('describe a container task through ECS, and read an ECS error as the reason nothing started', async () => {
    const { ContainerGate } = (await import(`${DIST_RUNTIME}/container/container-gate.js`)) as { ContainerGate: typeof ContainerGateClass };
    const gate = new ContainerGate({
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/shop',
      taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-prod-admin:3',
      containerName: 'admin',
      subnets: ['subnet-1'],
      securityGroups: ['sg-1'],
      assignPublicIp: false,
    });
    expect(await gate.describe('arn:aws:ecs:eu-west-1:123456789012:task/shop/0123')).toMatchObject({ lastStatus: 'RUNNING' });
    // The fake ECS serves no RunTask: its 400 comes back as the SDK's error, and the gate says nothing started.
    const started = await gate.start({ task: 'report', args: {}, runId: '20261205-101600-bundle' } as never, 3600, (said) => said);
    expect(started).toMatchObject({
      exitCode: 69,
      error: { name: 'ContainerStartFailed', message: expect.stringContaining('nothing started') },
    });
  });
});
