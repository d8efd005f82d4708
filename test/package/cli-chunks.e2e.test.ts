/**
 * What each command of the built CLI loads before it does anything: the
 * real binary, with a preload that notes the CLI's files its loader read
 * (dist/chunks/, through dist/load-cli.cjs) and the packages Node required.
 * A heavy package that only one command needs (esbuild, acorn) loads with
 * that command alone; importing esbuild also runs its binary to check its
 * version.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { fakeAwsEnvironment } from '../support/aws-cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { healthyScenario } from '../support/aws-scenario.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws-server.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { tempDir } from '../support/temp-dir.js';

/** What a command loaded: the CLI's files, and the modules Node required (package files among them). */
interface Loaded {
  readonly files: string[];
  readonly required: string[];
}

/* A preload that notes, at the process's exit, every .cjs file read (the CLI's loader reads its files) and Node's require cache. */
const NOTE_LOADED = `
const fs = require('node:fs');
const readFileSync = fs.readFileSync;
const files = new Set();
fs.readFileSync = function (path, ...rest) {
  if (typeof path === 'string' && path.endsWith('.cjs')) files.add(path);
  return readFileSync.call(this, path, ...rest);
};
process.on('exit', () => fs.writeFileSync(process.env.CNF_TEST_LOADED, JSON.stringify({ files: [...files], required: Object.keys(require.cache) })));
`;

/* zod's full build (zod/v4 classic), as it is bundled: its object schema, which zod/mini names ZodMiniObject. */
const ZOD_FULL_BUILD = /\bZodObject=\$constructor\(["`]ZodObject["`]/;

let dir: string;
let project: TestProject;
let server: FakeAws;

beforeAll(async () => {
  dir = tempDir('cnf-cli-loads');
  writeFileSync(join(dir, 'note-loaded.cjs'), NOTE_LOADED);
  project = createTestProject('tasks');
  server = await startFakeAws(healthyScenario());
});

afterAll(async () => {
  await server.close();
  await project.cleanup();
});

let runs = 0;

/** Runs the CLI in `cwd` and says what it loaded. */
async function loadedBy(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Loaded & { result: CliResult }> {
  runs += 1;
  const out = join(dir, `loaded-${runs}.json`);
  const result = await runCli(args, {
    cwd,
    env: { ...env, NODE_OPTIONS: `--require ${join(dir, 'note-loaded.cjs')}`, CNF_TEST_LOADED: out },
  });
  return { ...(JSON.parse(readFileSync(out, 'utf8')) as Loaded), result };
}

/** The packages among the modules Node required: the name after the last node_modules/. */
function packages(required: readonly string[]): string[] {
  return required.flatMap((path) => {
    const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path.slice(path.lastIndexOf('node_modules/')));
    return match?.[1] === undefined ? [] : [match[1]];
  });
}

function loadsZodFullBuild(files: readonly string[]): boolean {
  return files.some((file) => ZOD_FULL_BUILD.test(readFileSync(file, 'utf8')));
}

const awsStage = (): NodeJS.ProcessEnv => fakeAwsEnvironment(server.url);

describe('the built CLI', () => {
  it('loads neither esbuild nor acorn at its start, nor when it opens an AWS stage, and no package of the AWS SDK: the SDK is bundled in', async () => {
    const version = await loadedBy(['--version'], project.dir);
    expect(version.result.code).toBe(0);
    const aws = await loadedBy(['releases', '--stage', 'prod'], FIXTURE_ROOT, awsStage());
    expect(aws.result.code, aws.result.stderr).toBe(0);
    for (const { required } of [version, aws]) {
      expect(packages(required).filter((name) => /^(esbuild|acorn|@aws-sdk\/.*|@smithy\/.*)$/.test(name))).toEqual([]);
    }
    // The stage's clients are in the CLI's own files, as the tests' preloaded mocks find them.
    expect(aws.files.map((file) => readFileSync(file, 'utf8')).join('\n')).toContain('var LambdaClient=');
  });

  it("loads zod's full build neither at its start nor for an invoke, a local stage or an AWS stage: only to check a task's args (--dry-run)", async () => {
    const invoke = await loadedBy(['invoke', 'noop'], project.dir);
    expect(invoke.result.code, invoke.result.stderr).toBe(0);
    const aws = await loadedBy(['status', '--stage', 'prod'], FIXTURE_ROOT, awsStage());
    expect(aws.result.code, aws.result.stderr).toBe(0);
    expect(loadsZodFullBuild(invoke.files)).toBe(false);
    expect(loadsZodFullBuild(aws.files)).toBe(false);
    // The check can fail: the args check does load it.
    const dryRun = await loadedBy(['invoke', 'echo', '--dry-run', '--', '--count', '2'], project.dir);
    expect(dryRun.result.code, dryRun.result.stderr).toBe(0);
    expect(loadsZodFullBuild(dryRun.files)).toBe(true);
  });

  it('loads esbuild where a command builds, so that the check above can fail', async () => {
    writeFileSync(
      join(project.dir, 'lambda', 'tasks', 'noop.ts'),
      `${readFileSync(join(project.dir, 'lambda', 'tasks', 'noop.ts'), 'utf8')}\n// changed\n`,
    );
    const deploy = await loadedBy(['deploy'], project.dir);
    expect(deploy.result.code, deploy.result.stderr).toBe(0);
    expect(packages(deploy.required)).toContain('esbuild');
  });
});
