import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError, CnfError } from '../core/errors.js';
import { toolRoot } from '../core/tool-root.js';
import { helperEnvironment } from '../core/helper-environment.js';
import { loadProject } from '../core/project.js';
import { stageCachedBundle } from './bundle-cache.js';
import type { StagedBundle } from './stage-bundle.js';

/** What the bundle worker prints: the staged bundle, or a user's error. */
type WorkerAnswer =
  | { readonly staged: StagedBundle }
  | { readonly error: { readonly name: string; readonly message: string; readonly exitCode: number; readonly hint?: string | undefined } };

/** The built worker, beside the CLI in cnf-admin's `dist/`. */
const WORKER = join('dist', 'bundle-worker.mjs');

/** A user's error that the worker reported, with its name, exit code and hint. */
class WorkerReportedError extends CnfError {
  constructor(reported: { name: string; message: string; exitCode: number; hint?: string | undefined }) {
    super(reported.message, reported.exitCode, 'user', reported.hint === undefined ? {} : { hint: reported.hint });
    this.name = reported.name;
  }
}

/**
 * Builds the bundle of the project at `root` and stages it in `outdir`,
 * synchronously, for a CDK construct (a constructor cannot wait for a
 * promise): a Node process of its own runs {@link buildBundle} and
 * {@link stageBundle}, with local esbuild, never Docker, as `NodejsFunction`
 * does. The bundle is the one `cnf-admin deploy --stage local` builds, with
 * the same release id. When the project's sources are those of the bundle
 * cached by the last build (`.cnf/bundle-cache/`), that one is staged and
 * nothing is built.
 *
 * @example
 * const staged = buildBundleSync(projectRoot, Stage.of(scope)!.assetOutdir);
 * Code.fromAsset(staged.directory, { assetHash: staged.release, assetHashType: AssetHashType.CUSTOM });
 *
 * @throws CnfError (BuildError, UsageError) as the build raised it: the code
 * does not build, or the project's settings are wrong.
 */
function buildBundleSync(root: string, outdir: string): StagedBundle {
  const cached = stageCachedBundle(loadProject(root), outdir);
  if (cached !== undefined) return cached;
  const worker = join(toolRoot(), WORKER);
  if (!existsSync(worker)) {
    throw new BuildError(`cnf-admin's bundle worker is missing: ${worker}.`, { hint: 'Build cnf-admin (npm run build) or reinstall it.' });
  }
  // A synth's one wait: said in a line (the CDK CLI shows an app's stderr), as the CLI says its own waits off a terminal.
  process.stderr.write(`· Building the bundle of ${root} (cnf-admin)\n`);
  const result = spawnSync(process.execPath, [worker, root, outdir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: helperEnvironment({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }),
  });
  const lastLine = result.stdout?.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || !lastLine.startsWith('{')) {
    const why = result.error?.message ?? (result.stderr.trim() || `exit code ${String(result.status ?? result.signal)}`);
    throw new BuildError(`The bundle of ${root} could not be built:\n${why}`, result.error === undefined ? {} : { cause: result.error });
  }
  const answer = JSON.parse(lastLine) as WorkerAnswer;
  if ('error' in answer) throw new WorkerReportedError(answer.error);
  return answer.staged;
}

export { buildBundleSync };
export type { WorkerAnswer };
