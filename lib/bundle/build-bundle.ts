import { existsSync } from 'node:fs';
import { NODE_TARGET } from '../core/node-runtime.js';
import { join, relative } from 'node:path';
import { build, type BuildFailure, type BuildOptions, type Metafile } from 'esbuild';
import { BuildError, BuildStoppedError } from '../core/errors.js';
import { buildFailure } from './build-failure.js';
import type { Project } from '../core/project.js';
import { releaseIdOf, type BundleFile } from '../core/release.js';
import type { TaskCatalog } from '../core/task-catalog.js';
import { collectAssets } from './bundle-assets.js';
import { describeBundle } from './describe-bundle.js';
import { withEsbuildCollector } from './esbuild-collector.js';
import { scriptFiles } from './listed-sources.js';
import { REQUIRE_SHIM, withoutUnusedRequireShim } from './require-shim.js';

/** The project facts a build needs: where the project is and its layout (`loadProject` gives them all). */
type BundleSource = Pick<Project, 'root' | 'lambdaDir' | 'webEntry' | 'adminEntry' | 'assetDirs' | 'scriptsDir'>;

/** A built bundle: its files, their release id, and the task catalog it carries. */
interface Bundle {
  /** Every file, paths relative to the bundle root, sorted. */
  readonly files: readonly BundleFile[];
  /** `r-` and 12 hex digits, over all files (the manifest included). */
  readonly release: string;
  /** The tasks of the bundle, as `manifest.json` holds them. */
  readonly catalog: TaskCatalog;
  /** The source files the bundle was built from, relative to the project root. */
  readonly inputs: readonly string[];
  /** esbuild's metafile: the import graph of every output. */
  readonly metafile: Metafile;
}

/** The directory of the bundle that carries the one-time scripts, wherever the project keeps them. */
const BUNDLE_SCRIPTS_DIR = 'scripts';

/** The file in the bundle that carries the task catalog. */
const MANIFEST_FILE = 'manifest.json';

/*
 * esbuild writes source map paths relative to the output directory. Taking
 * the project root as the (virtual: nothing is written there) output
 * directory makes them project-relative (`lambda/db.ts`), so that the same
 * source gives the same bytes, and the same release id, wherever the project
 * is checked out, and stack traces read `/var/task/lambda/db.ts:60`.
 */

/**
 * Builds the application into one bundle with a `web` and an `admin` entry
 * (`web.mjs`, `admin.mjs`), the one-time scripts (`scripts/*.mjs`) and the
 * asset directories: ESM, code splitting, source maps, a task manifest. The
 * same source gives the same bytes and so the same release id, whoever builds
 * it: the local stage, the `AdminApp` construct at synth, or a caller.
 *
 * @example
 * const bundle = await buildBundle(findProject(process.cwd()));
 * console.log(bundle.release, bundle.catalog.tasks.map((task) => task.name));
 *
 * @param signal - aborted when the user interrupts: the build stops after esbuild's step, or ends the loading of the tasks at once.
 * @throws BuildError with esbuild's messages when the code does not build,
 * or when the task modules fail to load.
 * @throws BuildStoppedError when `signal` fired.
 */
async function buildBundle(source: BundleSource, signal?: AbortSignal): Promise<Bundle> {
  const entryPoints = [
    { in: source.webEntry, out: 'web', role: 'the web handler', setting: 'webEntry' },
    { in: source.adminEntry, out: 'admin', role: 'createAdminHandler', setting: 'adminEntry' },
  ];
  for (const entry of entryPoints) {
    if (!existsSync(entry.in)) {
      throw new BuildError(`The application has no ${relative(source.root, entry.in)} (${entry.role}).`, {
        hint: `Write it (npx cnf-admin init writes one), or name yours with context.cnf.${entry.setting} in cdk.json.`,
      });
    }
  }
  const result = await runEsbuild(source, [
    ...entryPoints.map((entry) => ({ in: entry.in, out: entry.out })),
    ...scriptEntryPoints(source.scriptsDir),
  ]);
  const code: BundleFile[] = result.outputFiles.map((file) => {
    const path = relative(source.root, file.path).split('\\').join('/');
    return { path, contents: withoutUnusedRequireShim(path, file.contents) };
  });
  if (signal?.aborted === true) throw new BuildStoppedError('The build was stopped.');
  const assets = collectAssets(source.lambdaDir, source.assetDirs);
  const catalog = await describeBundle([...code, ...assets.files], signal);
  const manifest: BundleFile = { path: MANIFEST_FILE, contents: new TextEncoder().encode(`${JSON.stringify(catalog, null, 2)}\n`) };
  const files = [...code, ...assets.files, manifest].sort((a, b) => (a.path < b.path ? -1 : 1));
  const inputs = [
    ...Object.keys(result.metafile.inputs),
    ...assets.sources.map((file) => relative(source.root, file).split('\\').join('/')),
  ].sort();
  return { files, release: releaseIdOf(files), catalog, inputs, metafile: result.metafile };
}

/**
 * The esbuild options of every bundle build, for the given entry points.
 * Exported so that a benchmark can build a web-only bundle the same way.
 */
function bundleBuildOptions(source: Pick<BundleSource, 'root'>, entryPoints: { in: string; out: string }[]) {
  return {
    absWorkingDir: source.root,
    entryPoints,
    outdir: source.root,
    write: false,
    metafile: true,
    bundle: true,
    format: 'esm',
    splitting: true,
    platform: 'node',
    target: NODE_TARGET,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    mainFields: ['module', 'main'],
    sourcemap: 'linked',
    sourcesContent: false,
    keepNames: true,
    // Less to read at each cold start; identifiers stay, so a stack trace reads even without the maps.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'utf8',
    banner: { js: REQUIRE_SHIM },
    // Optional native bindings that pg loads only when asked to.
    external: ['pg-native'],
    logLevel: 'silent',
  } satisfies BuildOptions;
}

/**
 * One entry point per one-time script under the scripts directory
 * (`<scriptsDir>/fix.ts` ships as `scripts/fix.mjs`, named `scripts/fix.ts`):
 * admin side only, since only the admin handler loads them, by path.
 */
function scriptEntryPoints(dir: string): { in: string; out: string }[] {
  return scriptFiles(dir).map((path) => ({ in: join(dir, path), out: `${BUNDLE_SCRIPTS_DIR}/${path.replace(/\.ts$/, '')}` }));
}

async function runEsbuild(source: BundleSource, entryPoints: { in: string; out: string }[]) {
  try {
    // esbuild's service process starts within build(), synchronously, with the environment as it is then.
    return await withEsbuildCollector(() => build(bundleBuildOptions(source, entryPoints)));
  } catch (error) {
    const errors = (error as BuildFailure).errors ?? [];
    // No compile error, and esbuild says its service process ended (as a Ctrl-C ends it): the build was stopped.
    if (errors.length === 0 && /^The service (was stopped|is no longer running)/.test((error as Error).message)) {
      throw new BuildStoppedError(`The build was stopped: ${(error as Error).message}`, { cause: error });
    }
    throw buildFailure(errors, source.root, error);
  }
}

export { BUNDLE_SCRIPTS_DIR, buildBundle, bundleBuildOptions, MANIFEST_FILE };
export type { Bundle, BundleSource };
