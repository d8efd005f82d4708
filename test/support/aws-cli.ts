import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { finished, spawnCli, type CliResult } from './cli.js';
import type { AwsScenario, SentCommand } from './aws-scenario.js';
import { FIXTURE_ROOT } from './aws-platform.js';
import { fakeAwsSettings } from './fake-aws-server.js';
import { awsMockPreloadOption } from './aws-mock-preload-build.js';

/** A spawned `cnf-admin` against a mocked AWS stage. */
interface AwsCliRun {
  readonly child: ChildProcess;
  /** Resolves when it exits: its output, and the AWS commands it sent. */
  readonly done: Promise<CliResult & { readonly sent: SentCommand[] }>;
}

/** Unsets every AWS setting of the machine the tests run on (a spawned process skips undefined variables). */
function withoutAwsSettings(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.keys(process.env).flatMap((key) => (key.startsWith('AWS_') ? [[key, undefined]] : [])));
}

/**
 * Spawns the real binary in the tasks fixture with AWS mocked at the SDK
 * clients by `scenario` (a preloaded module), in eu-west-1 with dummy
 * credentials.
 */
function spawnAwsCli(args: readonly string[], scenario: AwsScenario, env: NodeJS.ProcessEnv = {}): AwsCliRun {
  const dir = mkdtempSync(join(tmpdir(), 'cnf-aws-e2e-'));
  const scenarioFile = join(dir, 'scenario.json');
  const sentFile = join(dir, 'sent.json');
  writeFileSync(scenarioFile, JSON.stringify(scenario));
  const child = spawnCli(args, {
    cwd: FIXTURE_ROOT,
    env: {
      ...withoutAwsSettings(),
      NODE_OPTIONS: awsMockPreloadOption(),
      CNF_TEST_AWS_SCENARIO: scenarioFile,
      CNF_TEST_AWS_SENT: sentFile,
      CNF_LOG_WAIT_SECONDS: '1',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      ...env,
    },
  });
  const done = finished(child).then((result) => {
    const sent = existsSync(sentFile) ? (JSON.parse(readFileSync(sentFile, 'utf8')) as SentCommand[]) : [];
    rmSync(dir, { recursive: true, force: true });
    return { ...result, sent };
  });
  return { child, done };
}

/**
 * The environment of a `cnf-admin` whose real AWS SDK talks to an endpoint on
 * 127.0.0.1 (the fake AWS): none of the caller's AWS settings, the endpoint,
 * a region and example credentials, then `extra`.
 */
function fakeAwsEnvironment(url: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...withoutAwsSettings(), ...fakeAwsSettings(url), ...extra };
}

export { fakeAwsEnvironment, spawnAwsCli, withoutAwsSettings };
export type { AwsCliRun };
