/**
 * A whole AWS command as a process, as an operator waits for it: `cnf-admin
 * status --stage prod` against a fake AWS on 127.0.0.1 that answers at once,
 * against `node -e 0` in the same run (each run as a shell runs it: the
 * `cnf-admin` launcher, and `node`). What it measures is the CLI's own
 * start: Node, the CLI, the SDK clients it loads, and nothing a command does
 * not need (no bundler, no console parser). No target: it is shown so that a
 * regression shows (loading esbuild, which runs its binary at import, made it
 * about twice as long).
 */
import { spawn } from 'node:child_process';
import { fakeAwsEnvironment } from '../test/support/aws-cli.js';
import { FIXTURE_ROOT } from '../test/support/aws-platform.js';
import { healthyScenario } from '../test/support/aws-scenario.js';
import { CLI_BIN } from '../test/support/cli.js';
import { startFakeAws } from '../test/support/fake-aws-server.js';
import { median, type Benchmark } from './support/measure.js';

const RUNS = 12;
const WARMUP = 2;

/** Runs a process to its end, without blocking this one (the fake AWS answers from here), and resolves to its milliseconds. */
function timedProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: FIXTURE_ROOT, env, stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`${[command, ...args].join(' ')} exited ${code}`)),
    );
  });
}

const benchmark: Benchmark = async () => {
  const aws = await startFakeAws(healthyScenario());
  try {
    const env = fakeAwsEnvironment(aws.url, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    const status = ['status', '--stage', 'prod'];
    for (let index = 0; index < WARMUP; index += 1) {
      await timedProcess(process.execPath, ['-e', '0'], env);
      await timedProcess(CLI_BIN, status, env);
    }
    const bare: number[] = [];
    const command: number[] = [];
    for (let index = 0; index < RUNS; index += 1) {
      bare.push(await timedProcess(process.execPath, ['-e', '0'], env));
      command.push(await timedProcess(CLI_BIN, status, env));
    }
    return [
      {
        name: 'status on an AWS stage (a fake AWS on 127.0.0.1, no latency) vs node -e 0',
        value: median(command) / median(bare),
        unit: 'ratio',
        detail: `median ${median(command).toFixed(0)} ms vs ${median(bare).toFixed(0)} ms over ${RUNS} alternating runs; the whole process: Node, the CLI, the SDK clients and ${aws.requests.length / (RUNS + WARMUP)} AWS calls each`,
      },
    ];
  } finally {
    await aws.close();
  }
};

export default benchmark;
