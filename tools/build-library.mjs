// Compiles the package's library entries (cnf-admin/runtime,
// cnf-admin/runtime/config, cnf-admin/construct) with tsc into dist/lib/:
// JavaScript, .d.ts and source maps that carry their sources
// (tsconfig.build.json), since the package ships no TypeScript.
import { fileURLToPath } from 'node:url';
import { buildRuntimeVendor } from './build-runtime-vendor.mjs';
import { runTsc } from './tsc.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Emits dist/lib/ from tsconfig.build.json, then bundles the runtime's SDK clients in it; tsc's diagnostics fail the build. */
async function buildLibrary() {
  const { code, output } = await runTsc(['-p', 'tsconfig.build.json'], { cwd: root });
  if (code !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${output}`);
  await buildRuntimeVendor();
}

export { buildLibrary };
