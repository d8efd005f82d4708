/**
 * The local stage's speed: the CLI's start-up, the overhead of a local
 * invoke, and what admin tasks in the bundle cost the web entry's cold import.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleBuildOptions } from '../lib/bundle/build-bundle.js';
import { CLI_BIN, cliEnvironment } from '../test/support/cli.js';
import { createTestProject } from '../test/support/test-project.js';
import { compareCommands, median, type Benchmark, type BenchResult } from './support/measure.js';

const node = process.execPath;

function versionStartup(): BenchResult {
  const { ratio, subjectMs, baselineMs } = compareCommands(
    { command: node, args: [CLI_BIN, '--version'] },
    { command: node, args: ['-e', '0'] },
    30,
  );
  return {
    name: 'cnf-admin --version vs node -e 0',
    value: ratio,
    unit: 'ratio',
    target: 1.5,
    detail: `median ${subjectMs.toFixed(1)} ms vs ${baselineMs.toFixed(1)} ms over 30 alternating runs`,
  };
}

/*
 * The baseline runs the release's admin handler in a bare Node process with
 * the same environment the local platform gives a run: that is the work any
 * run must do. The subject is the whole `cnf-admin invoke`.
 */
const DIRECT_HANDLER = `
import { pathToFileURL } from 'node:url';
const { handler } = await import(pathToFileURL(process.env.LAMBDA_TASK_ROOT + '/admin.mjs').href);
const result = await handler({ task: 'noop', source: 'cli', caller: 'bench' }, {});
process.exit(result.exitCode);
`;

function invokeOverhead(projectDir: string, release: string): BenchResult {
  const bundle = join(projectDir, '.cnf', 'local', 'releases', release, 'bundle');
  const stageDir = join(projectDir, '.cnf', 'local');
  const env = {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    LAMBDA_TASK_ROOT: bundle,
    CNF_APP: 'fixture',
    CNF_STAGE: 'local',
    CNF_RELEASE: release,
    CNF_PARAMETER_FILE: join(stageDir, 'parameters.json'),
    CNF_LEDGER_DIR: stageDir,
  };
  const { ratio, subjectMs, baselineMs } = compareCommands(
    { command: node, args: [CLI_BIN, 'invoke', 'noop'], cwd: projectDir, env: cliEnvironment() },
    { command: node, args: ['--enable-source-maps', '--input-type=module', '-e', DIRECT_HANDLER], cwd: bundle, env },
    15,
  );
  return {
    name: 'local invoke of a no-op task vs its handler run directly with node',
    value: ratio,
    unit: 'ratio',
    target: 2.5,
    detail: `median ${subjectMs.toFixed(1)} ms vs ${baselineMs.toFixed(1)} ms over 15 alternating runs`,
  };
}

const IMPORT_TIMER = `
const started = performance.now();
await import(process.argv[1]);
process.stdout.write(String(performance.now() - started));
`;

function importMs(entry: string): number {
  const result = spawnSync(node, ['--enable-source-maps', '--input-type=module', '-e', IMPORT_TIMER, entry], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`importing ${entry} failed: ${result.stderr}`);
  return Number(result.stdout);
}

/*
 * The same web entry, built with the same options twice: once with the
 * admin entry and its tasks beside it (the real bundle, code-split), once
 * alone. Each import is timed in a fresh process, alternating.
 */
async function webColdImport(projectDir: string): Promise<BenchResult> {
  const source = { root: projectDir, lambdaDir: join(projectDir, 'lambda') };
  const out = mkdtempSync(join(tmpdir(), 'cnf-bench-web-'));
  try {
    for (const [name, entries] of [
      [
        'full',
        [
          { in: join(source.lambdaDir, 'web.ts'), out: 'web' },
          { in: join(source.lambdaDir, 'admin.ts'), out: 'admin' },
        ],
      ],
      ['web-only', [{ in: join(source.lambdaDir, 'web.ts'), out: 'web' }]],
    ] as const) {
      const result = await build({ ...bundleBuildOptions(source, [...entries]), write: false });
      for (const file of result.outputFiles) {
        const target = join(out, name, file.path.slice(projectDir.length));
        spawnSync('mkdir', ['-p', join(target, '..')]);
        writeFileSync(target, file.contents);
      }
    }
    const full: number[] = [];
    const webOnly: number[] = [];
    for (let index = 0; index < 25; index += 1) {
      webOnly.push(importMs(join(out, 'web-only', 'web.mjs')));
      full.push(importMs(join(out, 'full', 'web.mjs')));
    }
    return {
      name: "web entry's cold import with the example's tasks in the bundle vs a web-only build",
      value: median(full) / median(webOnly),
      unit: 'ratio',
      target: 1.05,
      detail: `median import ${median(full).toFixed(2)} ms vs ${median(webOnly).toFixed(2)} ms over 25 fresh processes each`,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const benchmark: Benchmark = async () => {
  const results = [versionStartup()];
  const tasks = createTestProject('tasks');
  try {
    const deployed = spawnSync(node, [CLI_BIN, 'deploy', '--json'], { cwd: tasks.dir, env: cliEnvironment(), encoding: 'utf8' });
    const { release } = JSON.parse(deployed.stdout) as { release: string };
    results.push(invokeOverhead(tasks.dir, release));
  } finally {
    await tasks.cleanup();
  }
  const notes = createTestProject('notes');
  try {
    results.push(await webColdImport(notes.dir));
  } finally {
    await notes.cleanup();
  }
  return results;
};

export default benchmark;
