// Bundles the AWS SDK clients of the runtime (lib/runtime/aws-sdk/*.ts) into
// dist/lib/runtime/aws-sdk/, over what tsc emitted for them: one ES module
// per client with only the commands the runtime sends, and chunks they share
// (the SDK's core, its credential providers). An app's release bundles the
// runtime; its esbuild then parses these few files, not the thousand files
// of the SDK's packages, which took half of its time (and the release
// carries less of the SDK). tools/build-library.mjs runs it after tsc.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIR = join(root, 'lib', 'runtime', 'aws-sdk');
const OUT_DIR = join(root, 'dist', 'lib', 'runtime', 'aws-sdk');

/** Replaces tsc's re-exports in dist/lib/runtime/aws-sdk/ with the bundled clients; their .d.ts stay. */
async function buildRuntimeSdk() {
  const clients = readdirSync(SOURCE_DIR).filter((name) => name.endsWith('.ts'));
  // tsc's maps map its re-exports, which are replaced.
  for (const name of clients) rmSync(join(OUT_DIR, name.replace(/\.ts$/, '.js.map')), { force: true });
  await build({
    absWorkingDir: root,
    entryPoints: clients.map((name) => join(SOURCE_DIR, name)),
    outdir: OUT_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    // The SDK's ES modules, which esbuild can leave unused commands out of.
    mainFields: ['module', 'main'],
    minifyWhitespace: true,
    minifySyntax: true,
    // The SDK's errors are told apart by name.
    keepNames: true,
    legalComments: 'none',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

export { buildRuntimeSdk };
