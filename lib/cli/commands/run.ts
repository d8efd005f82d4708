import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { didYouMean } from '../../core/did-you-mean.js';
import { UsageError } from '../../core/errors.js';
import { findProject, stageOf } from '../../core/project.js';
import { isScriptPath } from '../../core/task-catalog.js';
import type { CommandOptions } from '../command-options.js';
import type { CliIo } from '../io.js';
import { invoke } from './invoke.js';

/** The options of `cnf-admin run`: its flags (those of `invoke`), with a script's path for the task. */
type RunCommandOptions = CommandOptions<'run'> & {
  readonly path: string;
  /** The script's args as flags, from after `--`. */
  readonly taskArgs: readonly string[];
};

/**
 * `cnf-admin run scripts/<file>.ts`: runs a one-time script of the live
 * release, exactly as `invoke` runs a task (live output, logs, exit codes,
 * the ledger). A script the release does not carry is refused: it must ship
 * with a release.
 */
async function runScript(options: RunCommandOptions, io: CliIo): Promise<number> {
  const path = bundleScriptPath(options.path.replace(/^\.\//, ''), io.cwd);
  if (!isScriptPath(path)) {
    throw new UsageError(`cnf-admin run takes the path of a .ts file under scripts/, got: ${JSON.stringify(options.path)}`, {
      hint: 'For example: cnf-admin run scripts/<file>.ts -- --dry-run (cnf-admin tasks lists the scripts of the live release)',
    });
  }
  assertScriptOnDisk(path, options, io.cwd);
  const { path: _path, ...rest } = options;
  return invoke({ ...rest, task: path }, io);
}

/**
 * On the local stage, where the checkout is the release, a script that is
 * not on disk is a typo or a file not written yet, not one to "commit and
 * deploy": says so, naming where it looked and the scripts that are there.
 * A `--release` (an older release may carry a script since deleted) and an
 * AWS stage (the release, not this checkout, holds the scripts) are left to the release's check.
 *
 * @throws UsageError (64) when the script's file does not exist.
 */
function assertScriptOnDisk(path: string, options: Pick<RunCommandOptions, 'stage' | 'release'>, cwd: string): void {
  if (options.release !== undefined) return;
  const project = findProject(cwd);
  if (stageOf(project, options.stage).platform !== 'local') return;
  const file = join(project.scriptsDir, path.slice('scripts/'.length));
  if (existsSync(file)) return;
  const present = existsSync(project.scriptsDir)
    ? readdirSync(project.scriptsDir, { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.ts'))
        .map((name) => `scripts/${name.split(sep).join('/')}`)
    : [];
  const onDisk = relative(cwd, file) || file;
  const where = onDisk === path ? '' : ` (there is no ${onDisk})`;
  throw new UsageError(`No such script: ${path}${where}.${didYouMean(path, present)}`, {
    hint:
      present.length === 0
        ? `Write it under ${relative(cwd, project.scriptsDir) || project.scriptsDir}/, then run it again: cnf-admin run ${path}`
        : `The scripts here: ${present.sort().join(', ')}`,
  });
}

/**
 * A script's name in the release: `scripts/<file>.ts`, whatever the
 * project's scripts directory (`context.cnf.scriptsDir`, e.g. `ops/fix.ts`
 * ships as `scripts/fix.ts`). Either name is taken, and so is a path from
 * where the command runs (`fix.ts` inside the scripts directory, an
 * absolute path a shell completed).
 */
function bundleScriptPath(path: string, cwd: string): string {
  if (!path.endsWith('.ts')) return path;
  const project = findProject(cwd);
  const inScripts = relative(project.scriptsDir, resolve(cwd, path));
  if (inScripts !== '' && !inScripts.startsWith('..') && !isAbsolute(inScripts)) return `scripts/${inScripts.split(sep).join('/')}`;
  return path;
}

export { runScript };
export type { RunCommandOptions };
