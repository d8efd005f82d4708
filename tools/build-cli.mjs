// Builds the CLI and the local stage's helper processes into dist/ with esbuild.
// npm runs it on `npm ci` (prepare) and before the tests and benchmarks.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { dependencies, devDependencies } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
// commander is bundled in: every command starts with it, and one file loads
// faster than its CommonJS modules (`cnf-admin --version` is benchmarked).
const BUNDLED = new Set(['commander']);
const external = Object.keys({ ...dependencies, ...devDependencies })
  .filter((name) => !BUNDLED.has(name))
  .flatMap((name) => [name, `${name}/*`]);

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    cli: 'lib/cli/main.ts',
    'local-runner': 'lib/platform/local/runner.ts',
    'local-web-server': 'lib/platform/local/web-server-runner.ts',
    'local-database': 'lib/platform/local/database-server.ts',
    'local-detached': 'lib/platform/local/detached-run.ts',
    'bundle-worker': 'lib/bundle/bundle-worker.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // Other dependencies load from node_modules at run time.
  external,
  sourcemap: 'linked',
  // The bundled CommonJS (commander) requires Node built-ins; ESM output has no require of its own.
  banner: { js: "import { createRequire as __cnfCreateRequire } from 'node:module'; const require = __cnfCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
