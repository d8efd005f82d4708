/**
 * The AWS mock preload (`aws-mock-preload.ts`) as one ES module, for
 * `NODE_OPTIONS=--import` of a spawned `cnf-admin` (see
 * {@link awsMockPreloadOption}). The CLI bundles the AWS SDK
 * (tools/build-cli.mjs): the preload mocks the CLI's own clients, which the
 * built CLI also exposes as dist/aws-sdk/<service>.mjs. So the scenario's
 * imports of lib/platform/aws/sdk/<service>.ts load those files here, the
 * very modules the CLI's chunks import; the rest (the scenario,
 * aws-sdk-client-mock, sinon) is bundled in, one file that Node reads no
 * CommonJS of. Loading the TypeScript through tsx cost every spawned
 * command a loader thread and a transpile of the scenario code: about 260
 * ms, many times over in the AWS end-to-end files. Bundled with esbuild once
 * per test process into node_modules/.cache, named by its content:
 * processes that build the same preload share one file, and a changed one
 * gets a new name.
 */
import { createHash } from 'node:crypto';
import { buildSync } from 'esbuild';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './cli.js';

/** Where the scenario imports lib/platform/aws/sdk/<service>.ts, as esbuild leaves such an import when told it is external. */
const SDK_IMPORT = /"(?:\.\.\/)+lib\/platform\/aws\/sdk\/([\w-]+)\.js"/g;

/** The preload's text with each of the scenario's imports of lib/platform/aws/sdk/<service>.ts made the built CLI's copy of that service's client. */
function importingTheCliSdk(text: string): string {
  return text.replace(SDK_IMPORT, (_import, service: string) =>
    JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist', 'aws-sdk', `${service}.mjs`)).href),
  );
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
  const contents = importingTheCliSdk(output.text);
  const file = join(dir, `aws-mock-preload-${createHash('sha256').update(contents).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed: a process that spawns meanwhile never loads half a file.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, contents);
    renameSync(partial, file);
  }
  built = file;
  return file;
}

/** The NODE_OPTIONS that preload the mocks. */
function awsMockPreloadOption(): string {
  return `--import ${pathToFileURL(awsMockPreload()).href}`;
}

export { awsMockPreloadOption };
