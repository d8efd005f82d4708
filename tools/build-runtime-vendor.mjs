// Bundles the third-party code the runtime ships (lib/runtime/vendor/*.ts)
// into dist/lib/runtime/vendor/, over what tsc emitted for it (its .d.ts
// stay). An app's release bundles the runtime; its esbuild then parses these
// few files, not the packages behind them:
// - the AWS SDK clients (ssm, dynamodb, ecs): one ES module each with only the
//   commands the runtime sends, and chunks they share (the SDK's core, its
//   credential providers). They were half of a release build's time.
// - umzug, without its command line (@rushstack/ts-command-line and its
//   dependencies, some 1 MB), which the runtime never starts.
// tools/build-library.mjs runs it after tsc.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIR = join(root, 'lib', 'runtime', 'vendor');
const OUT_DIR = join(root, 'dist', 'lib', 'runtime', 'vendor');
const UMZUG = 'umzug.ts';

const common = {
  absWorkingDir: root,
  outdir: OUT_DIR,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ES modules where a package has them, which esbuild can leave unused code out of.
  mainFields: ['module', 'main'],
  minifyWhitespace: true,
  minifySyntax: true,
  // Errors are told apart by name.
  keepNames: true,
  legalComments: 'none',
  // Maps with the sources inside, as every module of the package has: the release's maps lead into them.
  sourcemap: 'linked',
  logLevel: 'warning',
};

/*
 * umzug as the runtime uses it:
 * - without its command line, which `Umzug.getCli` alone reaches: a stub that
 *   says it is not shipped;
 * - its CommonJS `require`s of Node's built-ins made imports: an ES module has
 *   no `require`, and one it declared itself would meet the one the banner of
 *   an app's release declares;
 * - its files mapped as they are: their own maps lead to TypeScript sources
 *   that umzug does not ship.
 */
const BUILTIN = new RegExp(`^(node:)?(${builtinModules.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);
const umzugAsUsed = {
  name: 'umzug-as-used',
  setup(build) {
    build.onResolve({ filter: /^\.\/cli$/ }, (args) =>
      /[\\/]umzug[\\/]lib[\\/]/.test(args.importer) ? { path: 'umzug-cli', namespace: 'umzug-without-cli' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'umzug-without-cli' }, () => ({
      contents:
        'exports.UmzugCLI = class UmzugCLI { constructor() { throw new Error("umzug\'s command line is not part of cnf-admin\'s runtime"); } };',
      loader: 'js',
    }));
    build.onResolve({ filter: BUILTIN }, (args) =>
      args.kind === 'require-call' ? { path: args.path.replace(/^node:/, ''), namespace: 'node-builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `export * from 'node:${args.path}'; import all from 'node:${args.path}'; export default all;`,
      loader: 'js',
    }));
    build.onLoad({ filter: /[\\/]umzug[\\/]lib[\\/].*\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, ''),
      loader: 'js',
    }));
  },
};

/*
 * The maps name the bundled packages where they are in this repository
 * (`../../../../node_modules/umzug/lib/umzug.js`). Installed, the package is
 * `<app>/node_modules/cnf-admin` and those packages sit beside it, where a
 * stack trace that the maps map back then leads: `node_modules/umzug/...`.
 */
function mapSourcesAsInstalled() {
  const modules = join(root, 'node_modules') + sep;
  for (const name of readdirSync(OUT_DIR, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.map'))) {
    const file = join(OUT_DIR, name);
    const map = JSON.parse(readFileSync(file, 'utf8'));
    map.sources = map.sources.map((source) => {
      const path = resolve(dirname(file), source);
      return path.startsWith(modules)
        ? relative(dirname(file), join(root, '..', path.slice(modules.length)))
            .split(sep)
            .join('/')
        : source;
    });
    writeFileSync(file, JSON.stringify(map));
  }
}

/** Replaces tsc's re-exports in dist/lib/runtime/vendor/ with the bundled code. */
async function buildRuntimeVendor() {
  const modules = readdirSync(SOURCE_DIR).filter((name) => name.endsWith('.ts'));
  // tsc's maps map its re-exports, which are replaced.
  for (const name of modules) rmSync(join(OUT_DIR, name.replace(/\.ts$/, '.js.map')), { force: true });
  await Promise.all([
    build({
      ...common,
      entryPoints: modules.filter((name) => name !== UMZUG).map((name) => join(SOURCE_DIR, name)),
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
    }),
    build({
      ...common,
      entryPoints: [join(SOURCE_DIR, UMZUG)],
      plugins: [umzugAsUsed],
    }),
  ]);
  mapSourcesAsInstalled();
}

export { buildRuntimeVendor };
