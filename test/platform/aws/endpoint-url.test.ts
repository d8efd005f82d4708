/**
 * The real SDK on the wire, no mocks: the real binary talks HTTP to a fake
 * AWS that `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_<SERVICE>`) points it at,
 * as it would to LocalStack. This checks that nothing defeats the SDK's
 * endpoint configuration, that control-plane calls keep the SDK's retries,
 * that the invoke is sent once, and that the event stream is read as Lambda
 * writes it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { withoutAwsSettings } from '../../support/aws-cli.js';
import { FIXTURE_ROOT } from '../../support/aws-platform.js';
import { healthyScenario, RELEASE, runLine, type AwsScenario } from '../../support/aws-scenario.js';
import { startFakeAws, type FakeAws, type FakeAwsOptions } from '../../support/fake-aws-server.js';

const servers: FakeAws[] = [];

async function fakeAws(scenario: AwsScenario, options: FakeAwsOptions = {}): Promise<FakeAws> {
  const server = await startFakeAws(scenario, options);
  servers.push(server);
  return server;
}

function cnfAdmin(args: string[], env: NodeJS.ProcessEnv) {
  return runCli(args, {
    cwd: FIXTURE_ROOT,
    env: {
      ...withoutAwsSettings(),
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      CNF_LOG_WAIT_SECONDS: '2',
      ...env,
    },
  });
}

const STREAMING = healthyScenario({
  stream: {
    frames: [
      { type: 'log', line: runLine('Run started') },
      { type: 'result', result: { runId: '$RUN_ID', task: 'noop', release: RELEASE, exitCode: 7, durationMs: 3 } },
    ],
  },
  logEvents: [
    { message: runLine('Run started') },
    { message: `REPORT RequestId: $REQUEST_ID\tDuration: 3.1 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB` },
  ],
});

const operations = (server: FakeAws): string[] => server.requests.map((request) => request.operation);

describe('the SDK endpoint configuration (AWS_ENDPOINT_URL) and the invoke on the wire', () => {
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('sends every call to AWS_ENDPOINT_URL, and reads the streamed run as Lambda writes it', async () => {
    // given
    const aws = await fakeAws(STREAMING);

    // when
    const { code, stdout, stderr } = await cnfAdmin(['invoke', 'noop', '--stage', 'prod'], { AWS_ENDPOINT_URL: aws.url });

    // then
    expect(stderr).not.toContain('cnf-admin:');
    expect(code).toBe(7);
    expect(stdout).toMatch(/INFO  Run started\nLambda: 3 ms, billed 4 ms · 64 of 128 MB memory\n/);
    expect(operations(aws).slice(0, 7).sort()).toEqual([
      'GetAlias',
      'GetAlias',
      'GetCallerIdentity',
      'GetFunctionConfiguration',
      'GetFunctionConfiguration',
      'GetParameter',
      'GetParameter', // the live-pair record (_cnf/live), in the same round
    ]);
    expect(operations(aws).slice(7)).toEqual(['InvokeWithResponseStream', 'FilterLogEvents']);
    expect(aws.requests.find((request) => request.operation === 'InvokeWithResponseStream')?.path).toBe(
      '/2021-11-15/functions/fixture-prod-admin/response-streaming-invocations?Qualifier=5',
    );
  });

  it('sends Lambda calls to AWS_ENDPOINT_URL_LAMBDA and the rest to AWS_ENDPOINT_URL', async () => {
    // given: the logs server never sees the invoke, so the run shows no line it would have to find
    const quiet = healthyScenario({
      stream: { frames: [{ type: 'result', result: { runId: '$RUN_ID', task: 'noop', release: RELEASE, exitCode: 7, durationMs: 3 } }] },
      logEvents: [{ message: `REPORT RequestId: $REQUEST_ID\tDuration: 3.1 ms` }],
    });
    const rest = await fakeAws(quiet);
    const lambda = await fakeAws(quiet);

    // when
    const { code } = await cnfAdmin(['invoke', 'noop', '--stage', 'prod'], {
      AWS_ENDPOINT_URL: rest.url,
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
    });

    // then
    expect(code).toBe(7);
    expect(operations(lambda).sort()).toEqual([
      'GetAlias',
      'GetAlias',
      'GetFunctionConfiguration',
      'GetFunctionConfiguration',
      'InvokeWithResponseStream',
    ]);
    expect(operations(rest).sort()).toEqual(['FilterLogEvents', 'GetCallerIdentity', 'GetParameter', 'GetParameter']);
  });

  it("retries a throttled control-plane call with the SDK's standard retries", async () => {
    // given
    const aws = await fakeAws(healthyScenario(), {
      failures: { GetParameter: [{ status: 400, name: 'ThrottlingException', message: 'Rate exceeded' }] },
    });

    // when
    const result = await cnfAdmin(['invoke', 'noop', '--stage', 'prod', '--dry-run'], { AWS_ENDPOINT_URL: aws.url });
    const { code } = result;

    // then
    expect(code, JSON.stringify(result)).toBe(0);
    // the stage record and the live-pair record, and the throttled one of them once more
    expect(operations(aws).filter((operation) => operation === 'GetParameter')).toHaveLength(3);
  });

  it('sends an invoke that failed with a 5xx exactly once, and says how to check the run', async () => {
    // given
    const aws = await fakeAws(healthyScenario(), {
      failures: { InvokeWithResponseStream: [{ status: 500, name: 'ServiceException', message: 'Internal' }] },
    });

    // when
    const { code, stderr } = await cnfAdmin(['invoke', 'noop', '--stage', 'prod', '--run-id', 'once-1'], { AWS_ENDPOINT_URL: aws.url });

    // then
    expect(code).toBe(69);
    expect(stderr).toContain('Run once-1 may or may not have happened; it is not retried.');
    expect(stderr).toContain('cnf-admin runs show once-1 --stage prod');
    expect(operations(aws).filter((operation) => operation.startsWith('Invoke'))).toEqual(['InvokeWithResponseStream']);
  });

  it('retries an invoke that Lambda throttled (it did not run)', async () => {
    // given
    const aws = await fakeAws(STREAMING, {
      failures: { InvokeWithResponseStream: [{ status: 429, name: 'TooManyRequestsException', message: 'Rate Exceeded.' }] },
    });

    // when
    const { code } = await cnfAdmin(['invoke', 'noop', '--stage', 'prod'], { AWS_ENDPOINT_URL: aws.url });

    // then
    expect(code).toBe(7);
    expect(operations(aws).filter((operation) => operation === 'InvokeWithResponseStream')).toHaveLength(2);
  });
});
