/**
 * The local stage's speed: the CLI's start-up, the overhead of a local
 * invoke, what admin tasks in the bundle cost the web entry's cold import,
 * and `invoke migrate` on a fresh copy and later, against the database
 * engine alone, so that the embedded database's cost shows.
 *
 * Every `cnf-admin` here runs as a shell runs it: `bin/cnf-admin.cjs` as a
 * program, its launcher first, as npm links it into node_modules/.bin.
 * The baselines run `node` as a shell runs it too, in the same environment.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import pg from 'pg';
import { bundleBuildOptions } from '../lib/bundle/build-bundle.js';
import { withoutUnusedRequireShim } from '../lib/bundle/require-shim.js';
import { scriptFiles } from '../lib/bundle/listed-sources.js';
import { loadProject } from '../lib/core/project.js';
import { localPaths } from '../lib/platform/local/local-paths.js';
import { readRelease } from '../lib/platform/local/release-store.js';
import { workingTreeDifference } from '../lib/platform/local/working-tree.js';
import { initdbArguments, postgresBinaries, runPostgresProgram, spawnPostgresProgram } from '../lib/platform/local/postgres-binaries.js';
import { CLI_BIN, REPO_ROOT as REPO, shellEnvironment } from '../test/support/cli.js';
import { createTestProject } from '../test/support/test-project.js';
import { compareCommands, median, type Benchmark, type BenchResult } from './support/measure.js';

const node = process.execPath;

function versionStartup(): BenchResult {
  const { ratio, subjectMs, baselineMs } = compareCommands(
    { command: CLI_BIN, args: ['--version'] },
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
 *
 * `NODE_EXTRA_CA_CERTS` makes Node read a certificate file before any code
 * runs (30 to 60 ms on this machine, where it names the system's bundle);
 * the launcher of `cnf-admin` starts Node without it (bin/cnf-admin.cjs),
 * where `node` reads it. The figure is measured with it on neither side,
 * and, when the environment sets it, again with it on both, as a shell that
 * sets it starts either command.
 */
const DIRECT_HANDLER = `
import { pathToFileURL } from 'node:url';
const { handler } = await import(pathToFileURL(process.env.LAMBDA_TASK_ROOT + '/admin.mjs').href);
const result = await handler({ task: 'noop', source: 'cli', caller: 'bench' }, {});
process.exit(result.exitCode);
`;

const EXTRA_CERTIFICATES = 'NODE_EXTRA_CA_CERTS';

function invokeOverhead(projectDir: string, release: string, certificates: string | undefined): BenchResult {
  const bundle = join(projectDir, '.cnf', 'local', 'releases', release, 'bundle');
  const stageDir = join(projectDir, '.cnf', 'local');
  const startedAlike = certificates === undefined ? {} : { [EXTRA_CERTIFICATES]: certificates };
  const env = {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    LAMBDA_TASK_ROOT: bundle,
    CNF_APP: 'fixture',
    CNF_STAGE: 'local',
    CNF_RELEASE: release,
    CNF_PARAMETER_FILE: join(stageDir, 'parameters.json'),
    CNF_LEDGER_DIR: stageDir,
    ...startedAlike,
  };
  const { [EXTRA_CERTIFICATES]: _inherited, ...shell } = shellEnvironment();
  const { ratio, subjectMs, baselineMs } = compareCommands(
    { command: CLI_BIN, args: ['invoke', 'noop'], cwd: projectDir, env: { ...shell, ...startedAlike } },
    { command: node, args: ['--enable-source-maps', '--input-type=module', '-e', DIRECT_HANDLER], cwd: bundle, env },
    15,
  );
  return {
    name: `local invoke of a no-op task vs its handler run directly with node, ${EXTRA_CERTIFICATES} ${certificates === undefined ? 'on neither side' : 'set on both sides'}`,
    value: ratio,
    unit: 'ratio',
    target: 2.0,
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
        // As a release holds it (lib/bundle/build-bundle.ts).
        writeFileSync(target, withoutUnusedRequireShim(file.path, file.contents));
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

/*
 * The database engine alone, as bare as it gets: initdb (on a first start)
 * and PostgreSQL started until it answers a query, with nothing of cnf-admin
 * around it. The same binaries and options the local stage uses.
 */
async function bareEngineStartMs(dataDir: string, first: boolean): Promise<number> {
  const binaries = postgresBinaries();
  const started = performance.now();
  if (first) {
    const init = await runPostgresProgram(binaries.initdb, initdbArguments(dataDir));
    if (init.status !== 0) throw new Error(`initdb failed: ${init.output}`);
  }
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const server = spawnPostgresProgram(
    binaries.postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { stdio: 'ignore' },
  );
  const ended = new Promise((resolve) => server.once('exit', resolve));
  for (;;) {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  const elapsed = performance.now() - started;
  server.kill('SIGINT');
  await ended;
  return elapsed;
}

/*
 * PostgreSQL's own start command for a server in the background, `pg_ctl
 * start -w`, timed until it returns: it waits for the server by reading
 * `postmaster.pid`, once every 100 ms. What a user who runs PostgreSQL by
 * hand waits for; the same binaries and options as the bare start above.
 */
async function pgCtlStartMs(dataDir: string): Promise<number> {
  const pgCtl = join(dirname(postgresBinaries().postgres), 'pg_ctl');
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=`;
  const started = performance.now();
  const start = await runPostgresProgram(pgCtl, ['-D', dataDir, '-w', '-l', join(dataDir, 'pg_ctl.log'), '-o', options, 'start']);
  const elapsed = performance.now() - started;
  if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.output}`);
  const stop = await runPostgresProgram(pgCtl, ['-D', dataDir, '-w', '-m', 'fast', 'stop']);
  if (stop.status !== 0) throw new Error(`pg_ctl stop failed: ${stop.output}`);
  return elapsed;
}

function timedNode(env: NodeJS.ProcessEnv = process.env): number {
  const started = performance.now();
  spawnSync(node, ['-e', '0'], { env, stdio: 'ignore' });
  return performance.now() - started;
}

/** The shell's environment without NODE_EXTRA_CA_CERTS, which Node reads at every start where it is set (this machine sets it). */
function withoutExtraCertificates(): NodeJS.ProcessEnv {
  const { [EXTRA_CERTIFICATES]: _read, ...env } = shellEnvironment();
  return env;
}

function timedCli(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = shellEnvironment()): number {
  const started = performance.now();
  const result = spawnSync(CLI_BIN, args, { cwd: dir, env, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`cnf-admin ${args.join(' ')} exited ${result.status}`);
  return performance.now() - started;
}

/** The resident memory of the embedded database, in MB: its supervisor (the watcher, a shell process, and its private part) and PostgreSQL's processes; Linux only. */
function databaseRssMb(dir: string): { supervisor: number; supervisorPrivate: number; total: number } | undefined {
  const status = JSON.parse(
    spawnSync(CLI_BIN, ['db', 'status', '--json'], { cwd: dir, env: shellEnvironment(), encoding: 'utf8' }).stdout,
  ) as {
    pid?: number;
    postgresPid?: number;
  };
  if (process.platform !== 'linux' || status.pid === undefined || status.postgresPid === undefined) return undefined;
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(status.postgresPid)], { encoding: 'utf8' })
    .stdout.trim()
    .split(/\s+/);
  const statusKb = (pid: string | number, field: string): number =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  const rssKb = (pid: string | number): number => statusKb(pid, 'VmRSS');
  const total =
    [status.pid, status.postgresPid, ...children.filter((pid) => pid !== '')].reduce<number>((sum, pid) => sum + rssKb(pid), 0) / 1024;
  return { supervisor: rssKb(status.pid) / 1024, supervisorPrivate: statusKb(status.pid, 'RssAnon') / 1024, total };
}

/*
 * The first `invoke migrate` on a fresh copy of the notes app (build, first
 * database start with initdb, migrations), against the engine's own first
 * start; then later ones: with the database running, against `node -e 0`,
 * and with it stopped, against the engine's own restart; and `db start` of
 * the stopped database, against the same. Alternating.
 */
async function migrateFigures(): Promise<BenchResult[]> {
  const first: number[] = [];
  const bareFirst: number[] = [];
  const restarted: number[] = [];
  const running: number[] = [];
  const bareRestart: number[] = [];
  const pgCtlStarts: number[] = [];
  const stops: number[] = [];
  const starts: number[] = [];
  const bareNode: number[] = [];
  const startsWithoutCertificates: number[] = [];
  const bareNodeWithoutCertificates: number[] = [];
  let rss: ReturnType<typeof databaseRssMb>;
  for (let round = 0; round < 3; round += 1) {
    const engineDir = mkdtempSync(join(tmpdir(), 'cnf-bench-engine-'));
    const notes = createTestProject('notes');
    try {
      bareFirst.push(await bareEngineStartMs(join(engineDir, 'data'), true));
      first.push(timedCli(notes.dir, ['invoke', 'migrate']));
      rss ??= databaseRssMb(notes.dir);
      for (let restart = 0; restart < 2; restart += 1) {
        bareRestart.push(await bareEngineStartMs(join(engineDir, 'data'), false));
        pgCtlStarts.push(await pgCtlStartMs(join(engineDir, 'data')));
        bareNode.push(timedNode());
        bareNodeWithoutCertificates.push(timedNode(withoutExtraCertificates()));
        stops.push(timedCli(notes.dir, ['db', 'stop']));
        starts.push(timedCli(notes.dir, ['db', 'start']));
        timedCli(notes.dir, ['db', 'stop']);
        startsWithoutCertificates.push(timedCli(notes.dir, ['db', 'start'], withoutExtraCertificates()));
        timedCli(notes.dir, ['db', 'stop']);
        restarted.push(timedCli(notes.dir, ['invoke', 'migrate']));
        running.push(timedCli(notes.dir, ['invoke', 'migrate']));
      }
    } finally {
      await notes.cleanup();
      rmSync(engineDir, { recursive: true, force: true });
    }
  }
  const notes = createTestProject('notes');
  let later: ReturnType<typeof compareCommands>;
  try {
    timedCli(notes.dir, ['invoke', 'migrate']);
    later = compareCommands(
      { command: CLI_BIN, args: ['invoke', 'migrate'], cwd: notes.dir, env: shellEnvironment() },
      { command: node, args: ['-e', '0'] },
      10,
    );
  } finally {
    await notes.cleanup();
  }
  return [
    {
      name: 'first invoke migrate on a fresh copy (build, database initdb and start, migrations) vs the engine alone: initdb and start',
      value: median(first) / median(bareFirst),
      unit: 'ratio',
      detail: `median ${median(first).toFixed(0)} ms vs ${median(bareFirst).toFixed(0)} ms over 3 fresh copies; the database then holds ${rss === undefined ? 'n/a' : `${rss.total.toFixed(0)} MB`} resident (supervisor and PostgreSQL)`,
    },
    {
      name: "the embedded database's supervisor process: resident memory",
      value: rss?.supervisor ?? Number.NaN,
      unit: 'MB',
      target: 30,
      detail: `VmRSS of the supervisor that stays beside PostgreSQL (its watcher, a POSIX shell running database-watch.sh, started with PostgreSQL by the command that needed it), after a first invoke migrate; its private part (RssAnon) ${rss === undefined ? 'n/a' : `${rss.supervisorPrivate.toFixed(1)} MB`}; PostgreSQL's processes add ${rss === undefined ? 'n/a' : `${(rss.total - rss.supervisor).toFixed(0)} MB`}`,
    },
    {
      name: 'db stop (database running) vs node -e 0',
      value: median(stops) / median(bareNode),
      unit: 'ratio',
      target: 3,
      detail: `median ${median(stops).toFixed(0)} ms vs ${median(bareNode).toFixed(1)} ms over 6 runs`,
    },
    {
      name: 'db start (database stopped) vs the engine alone: a start',
      value: median(starts) / median(bareRestart),
      unit: 'ratio',
      target: 3,
      detail: `median ${median(starts).toFixed(0)} ms vs ${median(bareRestart).toFixed(0)} ms over 6 runs; the whole command, the CLI's own start included. Node's own start as the launcher starts it, without the certificates ${EXTRA_CERTIFICATES} names (node -e 0 so started, ${median(bareNodeWithoutCertificates).toFixed(0)} ms; ${median(bareNode).toFixed(0)} ms with them), and the engine's start alone make ${((median(bareNodeWithoutCertificates) + median(bareRestart)) / median(bareRestart)).toFixed(2)}x: the floor of any command in Node`,
    },
    {
      name: `db start (database stopped) vs the engine alone: a start, ${EXTRA_CERTIFICATES} unset`,
      value: median(startsWithoutCertificates) / median(bareRestart),
      unit: 'ratio',
      detail: `median ${median(startsWithoutCertificates).toFixed(0)} ms vs ${median(bareRestart).toFixed(0)} ms over 6 runs; for reference, beside the figure above, which the launcher starts without them too (bin/cnf-admin.cjs): the same command with the variable unset in the shell`,
    },
    {
      name: "db start (database stopped) vs PostgreSQL's own start command, pg_ctl start -w",
      value: median(starts) / median(pgCtlStarts),
      unit: 'ratio',
      detail: `median ${median(starts).toFixed(0)} ms vs ${median(pgCtlStarts).toFixed(0)} ms over 6 runs; for reference, beside the figure above: both wait for the lock file to say ready; pg_ctl reads it once every 100 ms, db start each time it changes (and every 5 ms where its directory cannot be watched)`,
    },
    {
      name: 'later invoke migrate, database stopped (it starts again) vs the engine alone: a start',
      value: median(restarted) / median(bareRestart),
      unit: 'ratio',
      detail: `median ${median(restarted).toFixed(0)} ms vs ${median(bareRestart).toFixed(0)} ms over 6 runs; for reference, with no target: the whole invoke with the database running already takes ${(median(running) / median(bareRestart)).toFixed(2)}x the engine's start, so the start's own share is the figure below`,
    },
    {
      name: 'what starting the stopped database adds to invoke migrate (stopped minus running) vs the engine alone: a start',
      value: (median(restarted) - median(running)) / median(bareRestart),
      unit: 'ratio',
      target: 3,
      detail: `median ${median(restarted).toFixed(0)} ms with the database stopped, ${median(running).toFixed(0)} ms right after with it running, vs ${median(bareRestart).toFixed(0)} ms for the engine's start, over 6 runs each`,
    },
    {
      name: 'later invoke migrate, database running (nothing pending) vs node -e 0',
      value: later.ratio,
      unit: 'ratio',
      target: 3.5,
      detail: `median ${later.subjectMs.toFixed(0)} ms vs ${later.baselineMs.toFixed(1)} ms over 10 alternating runs`,
    },
  ];
}

/** A fresh process that builds the given entries with esbuild, as the bundler does, and nothing else. */
const COLD_ESBUILD = `
import { build } from 'esbuild';
await build(JSON.parse(process.argv[1]));
`;

/*
 * The working tree against the live release, on the notes app: how long the
 * check takes (in process, as invoke runs it), a deploy with no change
 * against node -e 0, and a deploy after a one-file change (a build) against
 * a cold esbuild of the same entries in a fresh process.
 */
async function workingTreeFigures(): Promise<BenchResult[]> {
  const notes = createTestProject('notes');
  try {
    timedCli(notes.dir, ['deploy']);
    const project = loadProject(notes.dir);
    const paths = localPaths(project);
    const stored = readReleaseSync(paths);
    const checks: number[] = [];
    for (let index = 0; index < 21; index += 1) {
      const started = performance.now();
      workingTreeDifference(project, stored);
      checks.push(performance.now() - started);
    }
    const unchanged = compareCommands(
      { command: CLI_BIN, args: ['deploy'], cwd: notes.dir, env: shellEnvironment() },
      { command: node, args: ['-e', '0'] },
      10,
    );
    const lambdaDir = join(notes.dir, 'lambda');
    const entries = [
      { in: join(lambdaDir, 'web.ts'), out: 'web' },
      { in: join(lambdaDir, 'admin.ts'), out: 'admin' },
      ...scriptFiles(project.scriptsDir).map((file) => ({
        in: join(project.scriptsDir, file),
        out: `scripts/${file.replace(/\.ts$/, '')}`,
      })),
    ];
    const options = JSON.stringify({ ...bundleBuildOptions(project, entries), write: false });
    const incremental: number[] = [];
    const cold: number[] = [];
    for (let index = 0; index < 5; index += 1) {
      const started = performance.now();
      const built = spawnSync(node, ['--input-type=module', '-e', COLD_ESBUILD, options], { cwd: notes.dir, stdio: 'ignore' });
      if (built.status !== 0) throw new Error('the cold esbuild failed');
      cold.push(performance.now() - started);
      appendFileSync(join(lambdaDir, 'tasks', 'seed.ts'), `\nexport const benchEdit${index} = ${index};\n`);
      incremental.push(timedCli(notes.dir, ['deploy']));
    }
    return [
      {
        name: 'working-tree check (does the tree differ from the live release), notes app',
        value: median(checks),
        unit: 'ms',
        target: 50,
        detail: `median ${median(checks).toFixed(2)} ms over 21 checks in process, as invoke runs it (${Object.keys(stored.sources ?? {}).length} sources)`,
      },
      {
        name: 'deploy with no change vs node -e 0',
        value: unchanged.ratio,
        unit: 'ratio',
        target: 2,
        detail: `median ${unchanged.subjectMs.toFixed(0)} ms vs ${unchanged.baselineMs.toFixed(1)} ms over 10 alternating runs; nothing is built`,
      },
      {
        name: 'deploy after a one-file change vs a cold esbuild of the same entries',
        value: median(incremental) / median(cold),
        unit: 'ratio',
        target: 2,
        detail: `median ${median(incremental).toFixed(0)} ms vs ${median(cold).toFixed(0)} ms over 5 alternating runs (the deploy builds, reads the task catalog, stores the release)`,
      },
    ];
  } finally {
    await notes.cleanup();
  }
}

/** The live release's record, read synchronously for the benchmark. */
function readReleaseSync(paths: ReturnType<typeof localPaths>): NonNullable<Awaited<ReturnType<typeof readRelease>>> {
  const aliases = JSON.parse(readFileSync(paths.aliases, 'utf8')) as { live: { web: string } };
  return JSON.parse(readFileSync(join(paths.releases, aliases.live.web, 'release.json'), 'utf8')) as NonNullable<
    Awaited<ReturnType<typeof readRelease>>
  >;
}

/*
 * `cdk synth` of the notes app (its CDK app, run as cdk.json runs it): a
 * second synth with no change into a new output directory (the bundle comes
 * from the project's cache) against a synth into an output directory that
 * holds the bundle already. The first, cold synth is in the detail.
 */
async function synthFigure(): Promise<BenchResult> {
  const notes = createTestProject('notes');
  mkdirSync(join(notes.dir, 'bin'));
  cpSync(join(REPO, 'bin', 'cdk-app.ts'), join(notes.dir, 'bin', 'cdk-app.ts'));
  // An ES module app, as the repository (and init) make it.
  writeFileSync(join(notes.dir, 'package.json'), `${JSON.stringify({ name: 'notes', private: true, type: 'module' })}\n`);
  const outdirs: string[] = [];
  const synth = (outdir: string): number => {
    const started = performance.now();
    const result = spawnSync(CLI_BIN, ['cdk-app', 'bin/cdk-app.ts'], {
      cwd: notes.dir,
      env: shellEnvironment({ CDK_OUTDIR: outdir }),
      stdio: 'ignore',
    });
    if (result.status !== 0) throw new Error(`the synth exited ${result.status}`);
    return performance.now() - started;
  };
  const newOutdir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'cnf-bench-cdk-'));
    outdirs.push(dir);
    return dir;
  };
  try {
    const kept = newOutdir();
    const coldMs = synth(kept);
    const second: number[] = [];
    const staged: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      staged.push(synth(kept));
      second.push(synth(newOutdir()));
    }
    return {
      name: 'second cdk synth with no change (bundle from the cache) vs a synth with the bundle already staged',
      value: median(second) / median(staged),
      unit: 'ratio',
      target: 1.5,
      detail: `median ${median(second).toFixed(0)} ms vs ${median(staged).toFixed(0)} ms over 3 alternating runs; the first, cold synth took ${coldMs.toFixed(0)} ms`,
    };
  } finally {
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
    await notes.cleanup();
  }
}

const benchmark: Benchmark = async () => {
  const results = [versionStartup()];
  results.push(...(await workingTreeFigures()));
  results.push(await synthFigure());
  results.push(...(await migrateFigures()));
  const tasks = createTestProject('tasks');
  try {
    const deployed = spawnSync(CLI_BIN, ['deploy', '--json'], { cwd: tasks.dir, env: shellEnvironment(), encoding: 'utf8' });
    const { release } = JSON.parse(deployed.stdout) as { release: string };
    results.push(invokeOverhead(tasks.dir, release, undefined));
    const certificates = process.env[EXTRA_CERTIFICATES];
    if (certificates !== undefined) results.push(invokeOverhead(tasks.dir, release, certificates));
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
