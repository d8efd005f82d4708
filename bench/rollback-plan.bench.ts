/**
 * `cnf-admin rollback --dry-run` on an AWS stage, in-process against a fake
 * AWS that answers every call after a fixed latency: how many round trips
 * its plan takes (target: 2), counted from the calls' arrival times (a call
 * that depends on an answer arrives a whole latency after the call it waited
 * for), and its time against one round trip through the same SDK stack in
 * the same run.
 */
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { cli } from '../lib/cli/main.js';
import { stageRecordName } from '../lib/core/stage-record.js';
import { AwsClients } from '../lib/platform/aws/aws-clients.js';
import { FIXTURE_ROOT } from '../test/support/aws-platform.js';
import { healthyScenario, OLD_RELEASE, RELEASE } from '../test/support/aws-scenario.js';
import { type FakeAws, type ReceivedRequest } from '../test/support/fake-aws-server.js';
import { withFakeAws } from './support/fake-aws.js';
import { memoryIo } from '../test/support/memory-io.js';
import { median, type Benchmark, type BenchResult } from './support/measure.js';

const LATENCY_MS = 150;
const RUNS = 7;
const WARMUP = 1;
const KEYS = 8;

const SCENARIO = healthyScenario({
  aliases: { web: { live: { version: '6', release: OLD_RELEASE } }, admin: { live: { version: '4', release: OLD_RELEASE } } },
});

async function oneRoundTripMs(): Promise<number> {
  const started = performance.now();
  await new AwsClients({ region: 'eu-west-1' }).ssm.send(new GetParameterCommand({ Name: stageRecordName(SCENARIO.app, SCENARIO.stage) }));
  return performance.now() - started;
}

async function run(args: string[]): Promise<void> {
  const code = await cli([...args, '--stage', 'prod'], memoryIo(FIXTURE_ROOT));
  if (code !== 0) throw new Error(`cnf-admin ${args.join(' ')} exited ${code}`);
}

/**
 * The round trips among the calls: a new one starts with a call that
 * arrived at least half a latency after the first call of the current one
 * (calls sent together arrive within milliseconds of each other).
 */
function roundTrips(calls: readonly ReceivedRequest[]): string[][] {
  const waves: { startedAt: number; operations: string[] }[] = [];
  for (const call of [...calls].sort((a, b) => a.arrivedAt - b.arrivedAt)) {
    const current = waves.at(-1);
    if (current !== undefined && call.arrivedAt - current.startedAt < LATENCY_MS / 2) current.operations.push(call.operation);
    else waves.push({ startedAt: call.arrivedAt, operations: [call.operation] });
  }
  return waves.map((wave) => wave.operations.sort());
}

async function dryRunOnce(aws: FakeAws): Promise<{ ms: number; waves: string[][] }> {
  const before = aws.requests.length;
  const started = performance.now();
  await run(['rollback', '--dry-run']);
  const ms = performance.now() - started;
  return { ms, waves: roundTrips(aws.requests.slice(before)) };
}

const benchmark: Benchmark = async () =>
  withFakeAws(SCENARIO, LATENCY_MS, {}, async (aws) => {
    // The older release live with its config, then the newer one deployed and its config changed.
    for (let n = 0; n < KEYS; n += 1) aws.ssm.put(`/fixture/prod/KEY_${n}`, `old-${n}`);
    await run(['config', 'set', 'KEY_0', 'old-value']);
    aws.aliases.web.live = { version: '7', release: RELEASE };
    aws.aliases.admin.live = { version: '5', release: RELEASE };
    await run(['config', 'set', 'KEY_0', 'new-value']);
    for (let index = 0; index < WARMUP; index += 1) {
      await oneRoundTripMs();
      await dryRunOnce(aws);
    }
    const single: number[] = [];
    const plans: number[] = [];
    let waves: string[][] = [];
    for (let index = 0; index < RUNS; index += 1) {
      single.push(await oneRoundTripMs());
      const plan = await dryRunOnce(aws);
      plans.push(plan.ms);
      waves = plan.waves;
    }
    const results: BenchResult[] = [
      {
        name: `rollback --dry-run on AWS: round trips of its plan (${LATENCY_MS} ms injected on every call)`,
        value: waves.length,
        unit: 'count',
        target: 2,
        detail: waves.map((wave, index) => `${index + 1}: ${wave.join(', ')}`).join('; '),
      },
      {
        name: 'rollback --dry-run on AWS vs one AWS round trip',
        value: median(plans) / median(single),
        unit: 'ratio',
        detail: `median ${median(plans).toFixed(1)} ms for the whole command in-process vs ${median(single).toFixed(1)} ms for one GetParameter, over ${RUNS} alternating runs (${KEYS} keys)`,
      },
    ];
    return results;
  });

export default benchmark;
