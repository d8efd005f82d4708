// Compiles the package's library entries (cnf-admin/runtime,
// cnf-admin/runtime/config, cnf-admin/construct) with tsc into dist/lib/:
// JavaScript, .d.ts and source maps that carry their sources
// (tsconfig.build.json), since the package ships no TypeScript.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildRuntimeVendor } from './build-runtime-vendor.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// TypeScript 7, the native compiler (package.json names it @typescript/native; `typescript` is TypeScript 6, for its API).
const tsc = join(dirname(createRequire(import.meta.url).resolve('@typescript/native/package.json')), 'bin/tsc');

/** Emits dist/lib/ from tsconfig.build.json, then bundles the runtime's SDK clients in it; tsc's diagnostics fail the build. */
async function buildLibrary() {
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root });
  } catch (error) {
    throw new Error(`tsc -p tsconfig.build.json failed:\n${error.stdout}${error.stderr}`, { cause: error });
  }
  await buildRuntimeVendor();
}

export { buildLibrary };
