import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { toolRoot } from '../../core/tool-root.js';

/** Where the container runner sits in the image, beside (not inside) the bundle. */
const CONTAINER_RUNNER_PATH = '/opt/cnf-admin/container-runner.mjs';

/**
 * The container runner (`lib/runtime/container-runner.ts`) as one
 * self-contained ES module: it imports nothing but Node's built-ins, and
 * loads the application from the bundle beside it. Built with esbuild on
 * this machine, deterministically (the same source gives the same bytes, so
 * the same image asset hash).
 */
function containerRunnerCode(): Uint8Array {
  const result = buildSync({
    absWorkingDir: toolRoot(),
    entryPoints: [join(toolRoot(), 'lib', 'runtime', 'container-runner.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no container runner');
  return output.contents;
}

export { CONTAINER_RUNNER_PATH, containerRunnerCode };
