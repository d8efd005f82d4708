/**
 * The config read at a cold start on AWS, against a fake AWS that answers
 * every call after a fixed latency: a fresh config loader (a new module
 * instance: new provider, new SDK client, as a new container has) reading a
 * stage with a live-pair record, against one round trip through a fresh SDK
 * client in the same run (target 1.3: the live version's values come with the
 * path read). The read after a rollback to an older config (a second round
 * trip, by selector) is shown for the record.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { LIVE_PAIR_KEY } from '../lib/core/live-pair-record.js';
import { stageRecordName } from '../lib/core/stage-record.js';
import { healthyScenario } from '../test/support/aws-scenario.js';
import { type FakeAws } from '../test/support/fake-aws-server.js';
import { withFakeAws } from './support/fake-aws.js';
import { median, type Benchmark, type BenchResult } from './support/measure.js';

const LATENCY_MS = 80;
const RUNS = 15;
const WARMUP = 2;
const SCENARIO = healthyScenario({ app: 'notes', stage: 'prod' });
const PATH = '/notes/prod/';
/* A page of GetParametersByPath holds 10 parameters: 8 keys and the two records are one page, as a small app's set is. */
const KEYS = 8;

async function oneRoundTripMs(): Promise<number> {
  const started = performance.now();
  const client = new SSMClient({});
  await client.send(new GetParameterCommand({ Name: stageRecordName(SCENARIO.app, SCENARIO.stage) }));
  client.destroy();
  return performance.now() - started;
}

let instance = 0;

/** One cold config read: a new instance of the loader module. */
async function coldReadMs(): Promise<number> {
  instance += 1;
  const { loadConfig } = (await import(
    `../lib/runtime/config-loader.ts?cold=${instance}`
  )) as typeof import('../lib/runtime/config-loader.js');
  const started = performance.now();
  await loadConfig();
  return performance.now() - started;
}

/** Writes the live-pair record naming version `version` of every key. */
function livePair(aws: FakeAws, config: number, version: (key: string) => number): void {
  const keys = Object.fromEntries(
    Array.from({ length: KEYS }, (_, n) => [`KEY_${n}`, { version: version(`KEY_${n}`), secure: n % 3 === 0 }]),
  );
  aws.ssm.put(`${PATH}${LIVE_PAIR_KEY}`, JSON.stringify({ release: 'r-aaaaaaaaaaaa', config, keys }));
}

async function figure(): Promise<{ cold: number; roundTrip: number }> {
  for (let index = 0; index < WARMUP; index += 1) {
    await oneRoundTripMs();
    await coldReadMs();
  }
  const roundTrips: number[] = [];
  const reads: number[] = [];
  for (let index = 0; index < RUNS; index += 1) {
    roundTrips.push(await oneRoundTripMs());
    reads.push(await coldReadMs());
  }
  return { cold: median(reads), roundTrip: median(roundTrips) };
}

const benchmark: Benchmark = async () =>
  withFakeAws(SCENARIO, LATENCY_MS, { CNF_PARAMETER_PATH: PATH, CNF_PARAMETER_FILE: '' }, async (aws) => {
    for (let n = 0; n < KEYS; n += 1) {
      aws.ssm.put(`${PATH}KEY_${n}`, `value-${n}-1`, n % 3 === 0 ? 'SecureString' : 'String');
      aws.ssm.put(`${PATH}KEY_${n}`, `value-${n}-2`, n % 3 === 0 ? 'SecureString' : 'String');
    }
    livePair(aws, 2, () => 2);
    const live = await figure();
    livePair(aws, 1, () => 1);
    const rolledBack = await figure();
    const results: BenchResult[] = [
      {
        name: `config read at a cold start (live pair, ${KEYS} keys) vs one AWS round trip (${LATENCY_MS} ms injected on every call)`,
        value: live.cold / live.roundTrip,
        unit: 'ratio',
        target: 1.3,
        detail: `median ${live.cold.toFixed(1)} ms for loadConfig() in a fresh loader vs ${live.roundTrip.toFixed(1)} ms for one GetParameter, over ${RUNS} alternating runs`,
      },
      {
        name: 'config read at a cold start after a rollback to an older config (by name:version selector) vs one round trip',
        value: rolledBack.cold / rolledBack.roundTrip,
        unit: 'ratio',
        detail: `median ${rolledBack.cold.toFixed(1)} ms vs ${rolledBack.roundTrip.toFixed(1)} ms: the path read, then GetParameters in parallel (10 names per call)`,
      },
    ];
    return results;
  });

export default benchmark;
