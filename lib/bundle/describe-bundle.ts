import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { appFrame } from '../core/app-frame.js';
import { removeLeftBehind } from '../core/files/atomic-file.js';
import { BuildError, BuildStoppedError } from '../core/errors.js';
import type { BundleFile } from '../core/release.js';
import type { TaskCatalog } from '../core/task-catalog.js';
import { writeBundleFiles } from './write-bundle.js';
import { NOTHING_RAN } from './build-failure.js';

const run = promisify(execFile);

/*
 * Loads the built admin entry in a Node process of its own, as Lambda would,
 * and asks its handler for the catalog. The process gets no parameter set and
 * no ledger: describing a task must not touch either. It writes one JSON
 * document: `{ catalog }`, or `{ failure: { message, stacks } }` when the
 * entry or a module of it failed to load (`stacks`: the error's, then each
 * cause's, source-mapped), so that the CLI can say it in a line, not Node's
 * dump of an uncaught error.
 */
const DESCRIBE_SCRIPT = `
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [admin, out] = process.argv.slice(1);
const report = (answer) => {
  writeFileSync(out, JSON.stringify(answer));
  process.exit(0);
};
const stacks = (error) => {
  const found = [];
  for (let link = error; typeof link === 'object' && link !== null && found.length < 8; link = link.cause) found.push(String(link.stack ?? ''));
  return found;
};
const said = (error) => (error instanceof Error ? (error.name === 'Error' ? '' : error.name + ': ') + error.message : String(error));
let handler;
try {
  ({ handler } = await import(pathToFileURL(admin).href));
} catch (error) {
  report({ failure: { message: 'The admin entry failed to load: ' + said(error), stacks: stacks(error) } });
}
if (typeof handler?.describe !== 'function') {
  report({ failure: { message: 'The admin entry must export const handler = createAdminHandler({ tasks: ... }) from cnf-admin/runtime', stacks: [] } });
}
try {
  report({ catalog: await handler.describe() });
} catch (error) {
  report({ failure: { message: error instanceof Error ? error.message : String(error), stacks: stacks(error) } });
}
`;

/* How long the admin entry and its tasks may take to load: seconds, unless one waits on something at import. */
const LOAD_TIMEOUT_MS = 60_000;

/* What to do when the tasks did not load. */
const FIX_HINT = `Fix it, ${NOTHING_RAN}`;

/** The catalog's process ended with `code` before it wrote its answer, and said nothing. */
function unanswered(code: unknown): string {
  return `the process that loads them ended (exit code ${String(code)}) before it answered. Does a task module call process.exit() when it is imported?`;
}

/** What the catalog's process writes: see {@link DESCRIBE_SCRIPT}. */
type DescribeAnswer =
  { readonly catalog: TaskCatalog } | { readonly failure: { readonly message: string; readonly stacks: readonly string[] } };

/**
 * Builds the task catalog of a bundle by loading its admin entry, from a
 * temporary copy of its own under the system's temporary directory. Never
 * from where the bundle is kept: what a task module does when imported (a
 * file written into its directory, a bundle file changed) must not reach a
 * release, and no `node_modules` above it may answer an import the bundle
 * does not hold (Lambda has none).
 *
 * @param signal - aborted when the user interrupts: the loading process is ended at once.
 * @throws BuildError naming the module that failed to load, what it threw and where in the app; with the process's error output when it ended without an answer.
 * @throws BuildStoppedError when `signal` fired, or a signal from elsewhere (a Ctrl-C to the process group) ended the loading process.
 */
async function describeBundle(files: readonly BundleFile[], signal?: AbortSignal): Promise<TaskCatalog> {
  const dir = await mkdtemp(join(tmpdir(), `${COPY_PREFIX}${process.pid}-`));
  try {
    await Promise.all([writeBundleFiles(dir, files), removeAbandonedCopies()]);
    const out = join(dir, 'catalog.json');
    try {
      await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', DESCRIBE_SCRIPT, join(dir, 'admin.mjs'), out], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', LAMBDA_TASK_ROOT: dir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        timeout: LOAD_TIMEOUT_MS,
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (signal?.aborted === true) throw new BuildStoppedError("Loading the admin entry's tasks was stopped.", { cause: error });
      const { signal: endedBy, killed } = error as { signal?: string | null; killed?: boolean };
      // Ended by a signal that this process did not send (its timeout sends one): a Ctrl-C reached it too.
      if (typeof endedBy === 'string' && killed !== true) {
        throw new BuildStoppedError(`Loading the admin entry's tasks was stopped (${endedBy}).`, { cause: error });
      }
      if (killed === true) {
        throw new BuildError(
          `The admin entry's tasks did not load within ${LOAD_TIMEOUT_MS / 1000} s. Does a task module wait on something when it is imported (a connection, a timer)?`,
          { hint: FIX_HINT, cause: error },
        );
      }
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
      // Said nothing (a process.exit(3)): its exit code, never the command line, which holds this module's script.
      throw new BuildError(
        `The admin entry's tasks failed to load: ${stderr === '' ? unanswered((error as { code?: unknown }).code) : `\n${stderr}`}`,
        { hint: FIX_HINT, cause: error },
      );
    }
    const written = await readFile(out, 'utf8').catch(() => undefined);
    if (written === undefined) throw new BuildError(`The admin entry's tasks failed to load: ${unanswered(0)}`, { hint: FIX_HINT });
    const answer = JSON.parse(written) as DescribeAnswer;
    if ('catalog' in answer) return answer.catalog;
    const where = appFrame(answer.failure.stacks, dir);
    const failed = new BuildError(`${answer.failure.message}${where === undefined ? '' : ` (at ${where})`}`, {
      hint: `${FIX_HINT} CNF_DEBUG=1 prints the whole stack.`,
    });
    // The stack CNF_DEBUG=1 prints: the loading process's, where the module failed.
    failed.stack = [failed.stack, ...answer.failure.stacks.map((stack) => `caused by: ${stack}`)].join('\n');
    throw failed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/* The name of each load's copy starts so, then its process id, in the system's temporary directory. */
const COPY_PREFIX = 'cnf-describe-';

/**
 * Removes the copies that a cnf-admin killed while its tasks loaded left
 * behind (a SIGKILL runs no `finally`): those whose process is gone. One it
 * cannot remove (another user's) is no reason to stop the build.
 */
async function removeAbandonedCopies(): Promise<void> {
  await removeLeftBehind(tmpdir(), COPY_PREFIX).catch(() => undefined);
}

export { describeBundle };
