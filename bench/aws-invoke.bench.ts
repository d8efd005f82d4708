/**
 * The AWS invoke path against a fake AWS on this machine that answers every
 * call after a fixed latency, as a far region would: how long `invoke`
 * takes until its Invoke is sent, against one round trip measured through
 * the same SDK stack in the same run (target 1.3: resolution is one round of
 * parallel calls), and how many AWS calls one invoke makes; and the same for
 * a container task: the time until its start reaches the admin function
 * (which calls RunTask itself).
 */
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { cli } from '../lib/cli/main.js';
import { stageRecordName } from '../lib/core/stage-record.js';
import { AwsClients } from '../lib/platform/aws/aws-clients.js';
import { FIXTURE_ROOT } from '../test/support/aws-platform.js';
import { healthyScenario, RELEASE } from '../test/support/aws-scenario.js';
import { CONTAINER_TASK, containerScenario } from '../test/support/aws-container-scenario.js';
import { startFakeAws, type FakeAws } from '../test/support/fake-aws-server.js';
import { withFakeAws } from './support/fake-aws.js';
import { memoryIo } from '../test/support/memory-io.js';
import { median, type Benchmark, type BenchResult } from './support/measure.js';

/** The latency injected on every AWS call. */
const LATENCY_MS = 80;
const RUNS = 15;
const WARMUP = 2;

const SCENARIO = healthyScenario({
  stream: { frames: [{ type: 'result', result: { runId: '$RUN_ID', task: 'noop', release: RELEASE, exitCode: 0, durationMs: 1 } }] },
  logEvents: [{ message: 'REPORT RequestId: $REQUEST_ID\tDuration: 1.0 ms' }],
});

/** One control-plane call through the SDK stack the CLI uses, with fresh clients as each command has. */
async function oneRoundTripMs(): Promise<number> {
  const started = performance.now();
  await new AwsClients({ region: 'eu-west-1' }).ssm.send(new GetParameterCommand({ Name: stageRecordName(SCENARIO.app, SCENARIO.stage) }));
  return performance.now() - started;
}

/** A whole `cnf-admin invoke noop --stage prod`, in-process: when its Invoke reached AWS, and its calls. */
async function invokeOnce(aws: FakeAws): Promise<{ untilInvokeMs: number; calls: string[] }> {
  const before = aws.requests.length;
  const invoked = aws.arrival('InvokeWithResponseStream');
  const started = performance.now();
  const code = await cli(['invoke', 'noop', '--stage', 'prod'], memoryIo(FIXTURE_ROOT));
  if (code !== 0) throw new Error(`cnf-admin invoke exited ${code}`);
  return { untilInvokeMs: (await invoked) - started, calls: aws.requests.slice(before).map((request) => request.operation) };
}

/** A whole `cnf-admin invoke <container task> --stage prod --detach`, in-process: when its start reached the admin function. */
async function runTaskOnce(aws: FakeAws): Promise<number> {
  const started = performance.now();
  const ran = aws.arrival('Invoke');
  const code = await cli(['invoke', CONTAINER_TASK, '--stage', 'prod', '--detach'], memoryIo(FIXTURE_ROOT));
  if (code !== 0) throw new Error(`cnf-admin invoke ${CONTAINER_TASK} --detach exited ${code}`);
  return (await ran) - started;
}

/** The time until the container start is sent, against one round trip, alternating, on a stage with container tasks. */
async function runTaskFigure(): Promise<BenchResult> {
  const aws = await startFakeAws(healthyScenario(containerScenario()), { latencyMs: LATENCY_MS });
  process.env.AWS_ENDPOINT_URL = aws.url;
  try {
    for (let index = 0; index < WARMUP; index += 1) {
      await oneRoundTripMs();
      await runTaskOnce(aws);
    }
    const roundTrips: number[] = [];
    const untilRunTask: number[] = [];
    for (let index = 0; index < RUNS; index += 1) {
      roundTrips.push(await oneRoundTripMs());
      untilRunTask.push(await runTaskOnce(aws));
    }
    return {
      name: `time until a container task's start reaches the admin function vs one AWS round trip (${LATENCY_MS} ms injected on every call)`,
      value: median(untilRunTask) / median(roundTrips),
      unit: 'ratio',
      target: 1.3,
      detail: `median ${median(untilRunTask).toFixed(1)} ms from cli() to the start's arrival at the admin function vs ${median(roundTrips).toFixed(1)} ms for one GetParameter, over ${RUNS} alternating runs`,
    };
  } finally {
    await aws.close();
  }
}

const benchmark: Benchmark = async () =>
  withFakeAws(SCENARIO, LATENCY_MS, { CNF_LOG_WAIT_SECONDS: '5' }, async (aws) => {
    for (let index = 0; index < WARMUP; index += 1) {
      await oneRoundTripMs();
      await invokeOnce(aws);
    }
    const roundTrips: number[] = [];
    const untilInvoke: number[] = [];
    let calls: string[] = [];
    for (let index = 0; index < RUNS; index += 1) {
      roundTrips.push(await oneRoundTripMs());
      const run = await invokeOnce(aws);
      untilInvoke.push(run.untilInvokeMs);
      calls = run.calls;
    }
    const before = calls.slice(0, calls.indexOf('InvokeWithResponseStream'));
    const results: BenchResult[] = [
      {
        name: `time until the Invoke is sent vs one AWS round trip (${LATENCY_MS} ms injected on every call)`,
        value: median(untilInvoke) / median(roundTrips),
        unit: 'ratio',
        target: 1.3,
        detail: `median ${median(untilInvoke).toFixed(1)} ms from cli() to the Invoke's arrival vs ${median(roundTrips).toFixed(1)} ms for one GetParameter, over ${RUNS} alternating runs`,
      },
      {
        name: 'AWS calls per invoke',
        value: calls.length,
        unit: 'count',
        detail: `${before.length} before the invoke, all in parallel (${[...before].sort().join(', ')}); then ${calls.slice(before.length).join(', ')}`,
      },
    ];
    results.push(await runTaskFigure());
    return results;
  });

export default benchmark;
