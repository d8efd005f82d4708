/**
 * The container runner as ECS runs it, on this machine (without Docker): an
 * image's layout (the tasks fixture's bundle, the runner beside it), a file
 * ledger, and the runner started as a process with the event in
 * CNF_ADMIN_EVENT.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundle } from '../../lib/bundle/build-bundle.js';
import { writeBundleFilesSync } from '../../lib/bundle/write-bundle.js';
import { loadProject } from '../../lib/core/project.js';
import type { RunRecord, RunResult } from '../../lib/core/run.js';
import type { TaskCatalog } from '../../lib/core/task-catalog.js';
import { containerRunnerCode } from '../../lib/construct/private/container-runner-code.js';
import type { CliResult } from './cli.js';
import { tempDir } from './temp-dir.js';
import type { TestProject } from './test-project.js';

/** An image of a project's release: where its bundle, runner and ledger are. */
interface RunnerImage {
  readonly image: string;
  readonly ledger: string;
  readonly release: string;
  /** The release's tasks and scripts, as its bundle describes them. */
  readonly catalog: TaskCatalog;
}

/** Builds the project's bundle into an image directory, with the container runner beside it. */
async function buildRunnerImage(project: TestProject): Promise<RunnerImage> {
  const bundle = await buildBundle(loadProject(project.dir));
  const image = tempDir('cnf-image');
  writeBundleFilesSync(join(image, 'bundle'), bundle.files);
  writeFileSync(join(image, 'container-runner.mjs'), containerRunnerCode());
  return { image, ledger: tempDir('cnf-ledger'), release: bundle.release, catalog: bundle.catalog };
}

/** Starts the runner as ECS would: the task definition's environment, and the event as an override. */
function startRunner(at: RunnerImage, event: unknown, env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [join(at.image, 'container-runner.mjs')], {
    env: {
      PATH: process.env.PATH,
      LAMBDA_TASK_ROOT: join(at.image, 'bundle'),
      CNF_APP: 'fixture',
      CNF_STAGE: 'prod',
      CNF_RELEASE: at.release,
      CNF_LEDGER_DIR: at.ledger,
      CNF_PARAMETER_FILE: join(at.image, 'no-parameters.json'),
      CNF_ADMIN_EVENT: JSON.stringify(event),
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Resolves once the runner has written `text` on stdout. */
function outputSeen(child: ChildProcessWithoutNullStreams, text: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve();
    });
  });
}

/** The JSON lines the runner wrote. */
function linesOf(result: CliResult): Record<string, unknown>[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The run result of the runner's last line, `Run result`. */
function resultLine(result: CliResult): RunResult {
  const line = linesOf(result).find((entry) => entry.message === 'Run result');
  if (line === undefined) throw new Error(`no Run result line in: ${result.stdout}${result.stderr}`);
  return line.result as RunResult;
}

/** The run's record in the image's file ledger. */
function recordOf(at: RunnerImage, runId: string): RunRecord | undefined {
  const file = join(at.ledger, 'runs', `${runId}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunRecord) : undefined;
}

/** Writes a run's record as the admin function claims it before it starts the run's task. */
function writeClaimedRecord(at: RunnerImage, record: RunRecord): void {
  mkdirSync(join(at.ledger, 'runs'), { recursive: true });
  writeFileSync(join(at.ledger, 'runs', `${record.runId}.json`), JSON.stringify(record));
}

export { buildRunnerImage, linesOf, outputSeen, recordOf, resultLine, startRunner, writeClaimedRecord };
export type { RunnerImage };
