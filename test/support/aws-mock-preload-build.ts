/**
 * The AWS mock preload (`aws-mock-preload.ts`) as one CommonJS file, for
 * `NODE_OPTIONS=--require` of a spawned `cnf-admin` (see
 * {@link awsMockPreloadOption}). Loading the TypeScript through tsx cost
 * every spawned command a loader thread and a transpile of the scenario
 * code: about 260 ms, many times over in the AWS end-to-end files. Bundled
 * with esbuild once per test process (packages stay external, so the
 * preload mocks the very SDK clients the CLI loads) into
 * node_modules/.cache, named by its content: processes that build the same
 * preload share one file, and a changed one gets a new name.
 */
import { createHash } from 'node:crypto';
import { buildSync } from 'esbuild';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

let built: string | undefined;

/** The path of the bundled preload, bundling it on first use in this process. */
function awsMockPreload(): string {
  if (built !== undefined) return built;
  const dir = join(REPO_ROOT, 'node_modules', '.cache', 'cnf-admin-tests');
  const [output] = buildSync({
    entryPoints: [join(REPO_ROOT, 'test', 'support', 'aws-mock-preload.ts')],
    outfile: join(dir, 'aws-mock-preload.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'warning',
  }).outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no preload');
  const file = join(dir, `aws-mock-preload-${createHash('sha256').update(output.contents).digest('hex').slice(0, 16)}.cjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed: a process that spawns meanwhile never loads half a file.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, output.contents);
    renameSync(partial, file);
  }
  built = file;
  return file;
}

/**
 * The NODE_OPTIONS that preload the mocks. A CommonJS preload requires the
 * SDK's CommonJS packages as the CLI does (tools/build-cli.mjs), into the
 * same module cache: imported from an ES module instead, Node's ES module
 * loader reads each of their files with its CommonJS lexer, and the preload
 * cost each spawned command some 560 ms of processor time, against 330 ms.
 */
function awsMockPreloadOption(): string {
  return `--require ${awsMockPreload()}`;
}

export { awsMockPreloadOption };
