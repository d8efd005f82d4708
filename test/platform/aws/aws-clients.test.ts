import { rmSync, writeFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { join } from 'node:path';
import { GetAliasCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsClients, KEEP_ALIVE_PROBE_MS } from '../../../lib/platform/aws/aws-clients.js';
import { healthyScenario } from '../../support/aws-scenario.js';
import { startFakeAws, type FakeAws } from '../../support/fake-aws-server.js';
import { tempDir } from '../../support/temp-dir.js';

let aws: FakeAws;

describe('AwsClients', () => {
  beforeEach(async () => {
    aws = await startFakeAws(healthyScenario());
    vi.stubEnv('AWS_ENDPOINT_URL', aws.url);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await aws.close();
  });

  it('never retries an invoke, and keeps the standard retries for the control plane', async () => {
    // given
    const clients = new AwsClients({ region: 'eu-west-1' });

    // when / then
    expect(await clients.invoker(900).config.maxAttempts()).toBe(1);
    expect(await clients.lambda.config.maxAttempts()).toBe(3);
    expect(await clients.ssm.config.maxAttempts()).toBe(3);
  });

  it("gives the invoke no timeout shorter than the function's, and keep-alive probes on a pool it shares with the control plane", async () => {
    // given
    const clients = new AwsClients({ region: 'eu-west-1' });
    const invoker = clients.invoker(900);

    // when: both clients have sent a request
    await clients.lambda.send(new GetAliasCommand({ FunctionName: 'fixture-prod-web', Name: 'live' }));
    await invoker.send(
      new InvokeCommand({ FunctionName: 'fixture-prod-admin', Qualifier: '5', InvocationType: 'Event', Payload: Buffer.from('{}') }),
    );

    // then
    const invokeConfig = (invoker.config.requestHandler as NodeHttpHandler).httpHandlerConfigs();
    const controlConfig = (clients.lambda.config.requestHandler as NodeHttpHandler).httpHandlerConfigs();
    expect(invokeConfig.requestTimeout).toBeGreaterThanOrEqual(900_000);
    expect(invokeConfig.socketTimeout).toBeGreaterThanOrEqual(900_000);
    const agent = invokeConfig.httpAgent as Agent & { keepAlive: boolean; keepAliveMsecs: number };
    expect([agent.keepAlive, agent.keepAliveMsecs]).toEqual([true, KEEP_ALIVE_PROBE_MS]);
    expect(controlConfig.httpAgent).toBe(agent);
  });

  it('resolves the region from the SDK chain when none is given', async () => {
    // given
    vi.stubEnv('AWS_REGION', 'ap-southeast-2');

    // when / then
    expect(await new AwsClients().region()).toBe('ap-southeast-2');
    expect(await new AwsClients({ region: 'eu-west-1' }).region()).toBe('eu-west-1');
  });

  it('reads the region and credentials of the profile --profile names', async () => {
    // given: a shared config file with a profile of its own
    const dir = tempDir('cnf-profile');
    writeFileSync(join(dir, 'config'), '[profile ops]\nregion = sa-east-1\n');
    writeFileSync(join(dir, 'credentials'), '[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = ops-secret\n');
    vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    try {
      // when
      const clients = new AwsClients({ profile: 'ops' });

      // then
      expect(await clients.region()).toBe('sa-east-1');
      expect((await clients.lambda.config.credentials()).accessKeyId).toBe('AKIDOPS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
