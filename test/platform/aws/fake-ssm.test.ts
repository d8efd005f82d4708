/**
 * The fake endpoint's Parameter Store, through the real SDK on the wire: it
 * keeps versions as SSM does, so the AWS stage's config versions can be
 * tested against it (100 versions, labels, selectors, 10 names per call).
 */
import {
  GetParameterHistoryCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthyScenario } from '../../support/aws-scenario.js';
import { startFakeAws, type FakeAws } from '../../support/fake-aws-server.js';
import { KEPT_VERSIONS } from '../../support/fake-ssm.js';

let aws: FakeAws;
let ssm: SSMClient;

beforeAll(async () => {
  aws = await startFakeAws(healthyScenario());
  ssm = new SSMClient({
    endpoint: aws.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  ssm.destroy();
  await aws.close();
});

const put = (name: string, value: string) =>
  ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));

describe('the fake SSM', () => {
  it('numbers versions and reads name:version selectors, at most 10 names per GetParameters', async () => {
    expect((await put('/app/s/A', 'one')).Version).toBe(1);
    expect((await put('/app/s/A', 'two')).Version).toBe(2);
    const read = await ssm.send(new GetParametersCommand({ Names: ['/app/s/A:1', '/app/s/A', '/app/s/A:9'] }));
    expect(read.Parameters?.map((parameter) => [parameter.Value, parameter.Version])).toEqual([
      ['one', 1],
      ['two', 2],
    ]);
    expect(read.InvalidParameters).toEqual(['/app/s/A:9']);
    await expect(ssm.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, n) => `/app/s/K${n}`) }))).rejects.toMatchObject(
      {
        name: 'ValidationException',
      },
    );
  });

  it('keeps 100 versions, dropping the oldest; a labelled oldest version blocks PutParameter', async () => {
    for (let n = 1; n <= KEPT_VERSIONS + 1; n += 1) await put('/app/s/H', `v${n}`);
    expect(aws.ssm.versions('/app/s/H').map((version) => version.Version)).toEqual(Array.from({ length: 100 }, (_, n) => n + 2));
    await ssm.send(new LabelParameterVersionCommand({ Name: '/app/s/H', ParameterVersion: 2, Labels: ['release-a'] }));
    await expect(put('/app/s/H', 'blocked')).rejects.toMatchObject({ name: 'ParameterMaxVersionLimitExceeded' });
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/app/s/H', MaxResults: 1 }));
    expect(history.Parameters?.[0]).toMatchObject({ Version: 2, Labels: ['release-a'] });
  });

  it('holds 10 labels per version, a label on one version, values up to 4 KB (Standard)', async () => {
    await put('/app/s/L', 'a');
    await put('/app/s/L', 'b');
    await ssm.send(new LabelParameterVersionCommand({ Name: '/app/s/L', ParameterVersion: 1, Labels: ['x'] }));
    await ssm.send(new LabelParameterVersionCommand({ Name: '/app/s/L', ParameterVersion: 2, Labels: ['x'] }));
    expect(aws.ssm.versions('/app/s/L').map((version) => version.Labels)).toEqual([[], ['x']]);
    const ten = Array.from({ length: 10 }, (_, n) => `l${n}`);
    await expect(ssm.send(new LabelParameterVersionCommand({ Name: '/app/s/L', ParameterVersion: 2, Labels: ten }))).rejects.toMatchObject({
      name: 'ParameterVersionLabelLimitExceeded',
    });
    await expect(put('/app/s/big', 'x'.repeat(4097))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
