// Compiles the package's library entries (cnf-admin/runtime,
// cnf-admin/runtime/config, cnf-admin/construct) with tsc into dist/lib/:
// JavaScript, .d.ts and source maps that carry their sources
// (tsconfig.build.json), since the package ships no TypeScript.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Emits dist/lib/ from tsconfig.build.json; tsc's diagnostics fail the build. */
async function buildLibrary() {
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root });
  } catch (error) {
    throw new Error(`tsc -p tsconfig.build.json failed:\n${error.stdout}${error.stderr}`, { cause: error });
  }
}

export { buildLibrary };
