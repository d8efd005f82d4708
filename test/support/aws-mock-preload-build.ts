/**
 * The AWS mock preload (`aws-mock-preload.ts`) as one ES module, for
 * `NODE_OPTIONS=--import` of a spawned `cnf-admin` (see
 * {@link awsMockPreloadOption}). The CLI bundles the AWS SDK
 * (tools/build-cli.mjs): the preload mocks the CLI's own clients, which the
 * built CLI also has as dist/aws-sdk/<service>.cjs. So the scenario's
 * imports of lib/platform/aws/sdk/<service>.ts load those files here,
 * through the CLI's own loader (dist/load-cli.cjs), the very modules the
 * CLI's chunks require; the rest (the scenario, aws-sdk-client-mock, sinon)
 * is bundled in, one file that Node reads no CommonJS of. Loading the
 * TypeScript through tsx cost every spawned command a loader thread and a
 * transpile of the scenario code: about 260 ms, many times over in the AWS
 * end-to-end files. Bundled with esbuild once per test process into
 * node_modules/.cache, named by its content: processes that build the same
 * preload share one file, and a changed one gets a new name.
 */
import { createHash } from 'node:crypto';
import { buildSync } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './cli.js';

/** Where the scenario imports lib/platform/aws/sdk/<service>.ts, as esbuild leaves such an import when told it is external. */
const SDK_IMPORT = /"(?:\.\.\/)+lib\/platform\/aws\/sdk\/([\w-]+)\.js"/g;

/** The values lib/platform/aws/sdk/<service>.ts exports (each re-exports the SDK's: `export { ... } from '@aws-sdk/...'`). */
function sdkExports(service: string): string[] {
  const source = readFileSync(join(REPO_ROOT, 'lib', 'platform', 'aws', 'sdk', `${service}.ts`), 'utf8');
  return [...source.matchAll(/^export \{([^}]*)\} from/gm)].flatMap(([, names = '']) =>
    names
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  );
}

/** Writes `contents` to `file` unless it holds them: aside and renamed, so that a process that spawns meanwhile never loads half a file. */
function writeOnce(file: string, contents: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === contents) return;
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, contents);
  renameSync(partial, file);
}

/**
 * An ES module that gives what dist/aws-sdk/<service>.cjs exports, loaded
 * through the CLI's own loader (dist/load-cli.cjs): the instance the CLI's
 * chunks get, not a second one that Node's loader would make.
 */
function cliSdkModule(dir: string, service: string): string {
  const loader = JSON.stringify(join(REPO_ROOT, 'dist', 'load-cli.cjs'));
  const file = join(dir, `cli-sdk-${service}.mjs`);
  writeOnce(
    file,
    [
      "import { createRequire } from 'node:module';",
      `const sdk = createRequire(import.meta.url)(${loader}).loadDistFile(${JSON.stringify(`aws-sdk/${service}.cjs`)});`,
      `export const { ${sdkExports(service).join(', ')} } = sdk;`,
      '',
    ].join('\n'),
  );
  return file;
}

/** The preload's text with each of the scenario's imports of lib/platform/aws/sdk/<service>.ts made the built CLI's copy of that service's client. */
function importingTheCliSdk(text: string, dir: string): string {
  return text.replace(SDK_IMPORT, (_import, service: string) => JSON.stringify(pathToFileURL(cliSdkModule(dir, service)).href));
}

let built: string | undefined;

/** The path of the bundled preload, bundling it on first use in this process. */
function awsMockPreload(): string {
  if (built !== undefined) return built;
  const dir = join(REPO_ROOT, 'node_modules', '.cache', 'cnf-admin-tests');
  const [output] = buildSync({
    entryPoints: [join(REPO_ROOT, 'test', 'support', 'aws-mock-preload.ts')],
    outfile: join(dir, 'aws-mock-preload.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [join(REPO_ROOT, 'lib', 'platform', 'aws', 'sdk', '*')],
    // sinon, bundled in, requires Node's built-ins: an ES module has no require of its own.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    write: false,
    logLevel: 'warning',
  }).outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no preload');
  const contents = importingTheCliSdk(output.text, dir);
  const file = join(dir, `aws-mock-preload-${createHash('sha256').update(contents).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) writeOnce(file, contents);
  built = file;
  return file;
}

/** The NODE_OPTIONS that preload the mocks. */
function awsMockPreloadOption(): string {
  return `--import ${pathToFileURL(awsMockPreload()).href}`;
}

export { awsMockPreloadOption };
