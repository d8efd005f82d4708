// The process `buildBundleSync` starts (dist/bundle-worker.mjs): builds a
// project's bundle, stages it in an output directory, keeps it as the
// project's cached bundle for the next synth, and prints one JSON line: the
// staged bundle, or the error a user can act on.
import { isCnfError } from '../core/errors.js';
import { loadProject } from '../core/project.js';
import { buildBundle } from './build-bundle.js';
import { cacheBundle } from './bundle-cache.js';
import { stageBundle } from './stage-bundle.js';
import type { WorkerAnswer } from './build-bundle-sync.js';

const [root, outdir] = process.argv.slice(2);
let answer: WorkerAnswer;
try {
  if (root === undefined || outdir === undefined) throw new Error('usage: bundle-worker <project root> <output directory>');
  const project = loadProject(root);
  const started = Date.now();
  const bundle = await buildBundle(project);
  answer = { staged: stageBundle(outdir, bundle) };
  try {
    cacheBundle(project, bundle, started);
  } catch (error) {
    // A cache that cannot be written (a read-only checkout) only costs the next synth a build.
    process.stderr.write(`cnf-admin: the bundle is not cached for the next synth: ${(error as Error).message}\n`);
  }
} catch (error) {
  // Anything else is the tool's fault: its stack goes to stderr, and the caller shows it.
  if (!isCnfError(error)) throw error;
  answer = { error: { name: error.name, message: error.message, exitCode: error.exitCode, hint: error.hint } };
}
process.stdout.write(`${JSON.stringify(answer)}\n`);
