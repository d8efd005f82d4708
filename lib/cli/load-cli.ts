/**
 * Loads the built CLI (`dist/cli.cjs` and its chunks) with V8's code cache
 * of this process's command (`code-cache.ts`), once per process: the
 * launcher (`bin/cnf-admin.cjs`) and the tests' preloaded AWS mocks, which
 * load the CLI's AWS clients (`dist/aws-sdk/`) first, share its modules.
 * Built as `dist/load-cli.cjs`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCachedFiles, type CodeCachedFiles } from './code-cache.js';
import type { cli } from './main.js';
import type { deferCaCertificates } from '../core/deferred-ca-certificates.js';

/** What the built CLI exports. */
interface CliModule {
  readonly cli: typeof cli;
  readonly deferCaCertificates: typeof deferCaCertificates;
}

/** A command's cache is named by its first word, where that could be a command's name; every other command line shares one. */
function commandName(argv: readonly string[]): string {
  const [first = ''] = argv;
  return /^[a-z][a-z-]{0,23}$/.test(first) ? first : 'cli';
}

/** dist/, where this file is built. */
const DIST = dirname(fileURLToPath(import.meta.url));

let files: CodeCachedFiles | undefined;

/**
 * A file of the built CLI (`path` relative to `dist/`), run on the first
 * call with the code cache of this process's command (`process.argv`).
 *
 * @example
 * const { SSMClient } = loadDistFile('aws-sdk/ssm.cjs') as typeof import('@aws-sdk/client-ssm');
 */
function loadDistFile(path: string): unknown {
  files ??= codeCachedFiles(DIST, commandName(process.argv.slice(2)));
  return files.require(join(DIST, path));
}

/**
 * The built CLI's module.
 *
 * @example
 * const { cli } = loadCli();
 * process.exitCode = await cli(process.argv.slice(2));
 * keepCompiledCli();
 */
function loadCli(): CliModule {
  return loadDistFile('cli.cjs') as CliModule;
}

/**
 * Once the command has run: writes the code cache of what it compiled,
 * where a file it loaded had none (`code-cache.ts`).
 *
 * @example
 * keepCompiledCli();
 */
function keepCompiledCli(): void {
  files?.keep();
}

export { keepCompiledCli, loadCli, loadDistFile };
