import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BuildError, BuildStoppedError } from '../core/errors.js';
import type { BundleFile } from '../core/release.js';
import type { TaskCatalog } from '../core/task-catalog.js';
import { writeBundleFiles } from './write-bundle.js';

const run = promisify(execFile);

/*
 * Loads the built admin entry in a Node process of its own, as Lambda would,
 * and asks its handler for the catalog. The process gets no parameter set and
 * no ledger: describing a task must not touch either.
 */
const DESCRIBE_SCRIPT = `
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [admin, out] = process.argv.slice(1);
const { handler } = await import(pathToFileURL(admin).href);
if (typeof handler?.describe !== 'function') {
  throw new Error('admin.ts must export const handler = createAdminHandler({ tasks: ... })');
}
writeFileSync(out, JSON.stringify(await handler.describe()));
process.exit(0);
`;

/**
 * Builds the task catalog of a bundle by loading its admin entry.
 *
 * @throws BuildError with the process's error output when the tasks fail to load.
 */
async function describeBundle(files: readonly BundleFile[]): Promise<TaskCatalog> {
  const dir = await mkdtemp(join(tmpdir(), 'cnf-describe-'));
  try {
    await writeBundleFiles(dir, files);
    const out = join(dir, 'catalog.json');
    try {
      await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', DESCRIBE_SCRIPT, join(dir, 'admin.mjs'), out], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', LAMBDA_TASK_ROOT: dir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        timeout: 60_000,
      });
    } catch (error) {
      const { signal, killed } = error as { signal?: string | null; killed?: boolean };
      // Ended by a signal that this process did not send (its timeout sends one): a Ctrl-C reached it too.
      if (typeof signal === 'string' && killed !== true) {
        throw new BuildStoppedError(`Loading the admin entry's tasks was stopped (${signal}).`, { cause: error });
      }
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
      throw new BuildError(`The admin entry's tasks failed to load:\n${stderr || (error as Error).message}`, { cause: error });
    }
    return JSON.parse(await readFile(out, 'utf8')) as TaskCatalog;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export { describeBundle };
