import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { findProject } from '../../core/project.js';
import { isScriptPath, scriptNameOf } from '../../core/task-catalog.js';
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
  const { path: _path, ...rest } = options;
  return invoke({ ...rest, task: path }, io);
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
  if (inScripts !== '' && !inScripts.startsWith('..') && !isAbsolute(inScripts)) return scriptNameOf(inScripts.split(sep).join('/'));
  return path;
}

export { runScript };
export type { RunCommandOptions };
