import { dirname, extname, join } from 'node:path';
import { NODE_TARGET } from '../../core/node-runtime.js';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

/** Where the container runner sits in the image, beside (not inside) the bundle. */
const CONTAINER_RUNNER_PATH = '/opt/cnf-admin/container-runner.mjs';

/**
 * The container runner (`lib/runtime/container-runner.ts`) as one
 * self-contained ES module: it imports nothing but Node's built-ins, and
 * loads the application from the bundle beside it. Built with esbuild on
 * this machine, deterministically (the same source gives the same bytes, so
 * the same image asset hash), from the runner's module read with this
 * module's extension: the TypeScript source in this repository, the compiled
 * `.js` in the installed package (`dist/lib/runtime/`).
 */
function containerRunnerCode(): Uint8Array {
  const here = fileURLToPath(import.meta.url);
  const runtime = join(dirname(here), '..', '..', 'runtime');
  const result = buildSync({
    absWorkingDir: runtime,
    entryPoints: [join(runtime, `container-runner${extname(here)}`)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: NODE_TARGET,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no container runner');
  return output.contents;
}

export { CONTAINER_RUNNER_PATH, containerRunnerCode };
