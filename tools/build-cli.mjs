// Bundles the CLI and the local stage's helper processes into dist/ with
// esbuild. tools/build.mjs runs it; so do the tests and benchmarks, through
// `npm run build`.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCliChunks } from './cli-chunks.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// commander is bundled in: every command starts with it, and one file loads
// faster than its CommonJS modules (`cnf-admin --version` is benchmarked).
// It is a devDependency for that reason: an installed cnf-admin never loads it.
const BUNDLED = new Set(['commander', 'zod']);

/*
 * zod re-exports every locale it has as a namespace (`z.locales`). A
 * bundle keeps such a namespace whole, so each command would load and run
 * some 500 KB of messages in forty languages before it does anything. The
 * CLI speaks English (lib/runtime/schema-messages.ts): in its bundle,
 * `z.locales` holds `en` alone. Apps' own bundles are built apart
 * and keep zod as it is.
 */
const englishOnlyZod = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-english-only' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: root,
    }));
  },
};

/*
 * The CLI checks its own files with zod/mini (a few kilobytes once bundled)
 * and loads zod's full build only for a task's args (--dry-run, --detach,
 * `tasks`). Both builds import zod's core: shared, every command would run
 * the core as the full build needs it, some 220 KB. So the full build gets
 * a copy of the core of its own (the same files, in a namespace of their
 * own), which runs only where the full build is imported; each copy
 * messages in English (lib/core/schema-messages.ts; the full build sets its
 * own).
 */
const ZOD_SHARED = /[\\/]zod[\\/]v4[\\/](core|locales)[\\/]/;
const ZOD_FULL = /[\\/]zod[\\/]v4[\\/]classic[\\/]/;
const fullZodApart = {
  name: 'zod-full-build-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.namespace !== 'zod-full' && !ZOD_FULL.test(args.importer)) return undefined;
      const path = resolve(args.resolveDir, args.path);
      return ZOD_SHARED.test(path) ? { path, namespace: 'zod-full' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-full' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/*
 * The processes the CLI starts for its own work share no state with it, and
 * each loads only its own code: each is one file, built whole (Node's ES
 * module loader costs a fraction of a millisecond for every file, whatever
 * its size).
 */
const HELPER_PROCESSES = {
  'local-runner': 'lib/platform/local/runner.ts',
  'local-session-watchdog': 'lib/platform/local/session-watchdog.ts',
  'local-web-server': 'lib/platform/local/web-server-runner.ts',
  'local-detached': 'lib/platform/local/detached-run.ts',
  'bundle-worker': 'lib/bundle/bundle-worker.ts',
};

/* Shell scripts the CLI and its helper processes start, copied as they are (dist/<name> from lib/). */
const SHELL_SCRIPTS = { 'local-database-watch.sh': 'lib/platform/local/database-watch.sh' };

async function copyShellScripts() {
  await mkdir(resolve(root, 'dist'), { recursive: true });
  await Promise.all(Object.entries(SHELL_SCRIPTS).map(([name, source]) => copyFile(resolve(root, source), resolve(root, 'dist', name))));
}

/*
 * The AWS SDK is bundled in, from its ES modules (the packages' `module`
 * builds), tree-shaken to the clients and commands the CLI sends: loaded
 * from its CommonJS packages instead, each command that calls AWS spent some
 * 60 ms more of processor time, in Node's loading of hundreds of files and
 * in the clients' methods for every command of their service. The CLI's
 * code imports each client from lib/platform/aws/sdk/<service>.ts, built
 * too as an entry of its own, dist/aws-sdk/<service>.cjs: the very classes
 * the CLI uses, where the tests' preloaded mocks (aws-sdk-client-mock) reach
 * them in a spawned CLI, through the CLI's own loader
 * (test/support/aws-mock-preload-build.ts).
 *
 * esbuild's own package is CommonJS: required, not imported, a deploy that
 * builds does not lex its 100 KB for exports first (some 10 ms).
 */
const SDK_DIR = 'lib/platform/aws/sdk';
const SDK_PACKAGES = /^@(aws-sdk|smithy)\//;
const CJS_PACKAGES = /^esbuild$/;
const requireCommonJs = {
  name: 'require-commonjs-packages',
  setup(build) {
    build.onResolve({ filter: CJS_PACKAGES }, (args) =>
      args.namespace === 'required' ? { path: args.path, external: true } : { path: args.path, namespace: 'required' },
    );
    build.onLoad({ filter: /.*/, namespace: 'required' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/*
 * CommonJS output: `import.meta.url` is the file's own URL, as in an ES
 * module (lib/core/tool-root.ts finds the package from it).
 */
const COMMON_JS = {
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  banner: { js: "const __cnfModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__cnfModuleUrl' },
};

/*
 * The CLI and the SDK's entries, split by esbuild into chunks along its
 * commands' import()s, then written into fewer CommonJS files by rolldown
 * (tools/cli-chunks.mjs), which dist/load-cli.cjs runs with V8's code cache
 * of the command (lib/cli/code-cache.ts).
 */
async function buildCliEntries(common) {
  const entryPoints = {
    cli: 'lib/cli/main.ts',
    ...Object.fromEntries(
      (await readdir(resolve(root, SDK_DIR)))
        .filter((file) => file.endsWith('.ts'))
        .map((file) => [`aws-sdk/${file.replace(/\.ts$/, '')}`, `${SDK_DIR}/${file}`]),
    ),
  };
  const { outputFiles, metafile } = await build({
    ...common,
    entryPoints,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    write: false,
    metafile: true,
    // ES modules for esbuild to split, which rolldown writes as CommonJS: each file's require, __filename and URL are its own.
    banner: { js: COMMON_JS.banner.js },
    define: COMMON_JS.define,
  });
  const entries = Object.fromEntries(Object.keys(entryPoints).map((name) => [name, `dist/${name}.mjs`]));
  await writeCliChunks({ root, outdir: 'dist', entries, outputFiles, metafile });
}

/** Builds dist/cli.cjs, dist/load-cli.cjs, dist/local-*.mjs, dist/standby.cjs, and copies the shell scripts. */
async function buildCli() {
  const { dependencies, devDependencies, peerDependencies } = JSON.parse(
    await readFile(new URL('../package.json', import.meta.url), 'utf8'),
  );
  const external = Object.keys({ ...dependencies, ...devDependencies, ...peerDependencies })
    .filter((name) => !BUNDLED.has(name) && !SDK_PACKAGES.test(name))
    .flatMap((name) => [name, `${name}/*`]);
  const common = {
    absWorkingDir: root,
    outdir: 'dist',
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The ES module builds of the packages that have one (the AWS SDK's), which esbuild can leave unused code out of.
    mainFields: ['module', 'main'],
    outExtension: { '.js': '.mjs' },
    // Other dependencies load from node_modules at run time.
    external,
    // Linked maps with the sources inside: the package ships no TypeScript.
    sourcemap: 'linked',
    sourcesContent: true,
    // The bundled CommonJS (commander) requires Node built-ins; ESM output has no require of its own.
    banner: {
      js: "import { createRequire as __cnfCreateRequire } from 'node:module'; const require = __cnfCreateRequire(import.meta.url);",
    },
    plugins: [englishOnlyZod, fullZodApart, requireCommonJs],
    // Less for Node to read and compile at every command (names are kept, and the maps map it back).
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  };
  await Promise.all([
    copyShellScripts(),
    buildCliEntries(common),
    build({ ...common, entryPoints: HELPER_PROCESSES }),
    // Required by bin/cnf-admin.cjs before the CLI loads: a local invoke's run process starts first.
    // CommonJS loads, with the built-ins it needs, some milliseconds sooner than an ES module.
    build({ ...common, ...COMMON_JS, entryPoints: { standby: 'lib/platform/local/standby-runner.ts' } }),
    // What bin/cnf-admin.cjs runs the CLI with.
    build({ ...common, ...COMMON_JS, entryPoints: { 'load-cli': 'lib/cli/load-cli.ts' } }),
  ]);
}

export { buildCli };
