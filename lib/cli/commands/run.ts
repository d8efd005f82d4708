import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { findProject } from '../../core/project.js';
import { isScriptPath, SCRIPTS_IN_RELEASE, scriptNameOf } from '../../core/task-catalog.js';
import type { CommandOptions } from '../command-options.js';
import type { CliIo } from '../io.js';
import { localSecretMasker } from '../local-secret-masker.js';
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
  if (!isScriptPath(path) && path.startsWith(SCRIPTS_IN_RELEASE) && path.endsWith('.ts')) {
    // A path that holds a secure value is printed masked; a name made from it would print most of that value.
    const mask = await localSecretMasker(io.cwd);
    const renamed = mask(path) === path ? scriptPathLike(path) : undefined;
    throw new UsageError(
      `${path} is no script a release can carry: a script's path takes only letters, digits, "_" and "-" (and "." in its file name).`,
      {
        hint:
          renamed === undefined
            ? 'Rename it to a path of those characters only, then run that.'
            : `Rename it, e.g. to ${renamed}, then run that: cnf-admin run ${renamed}`,
      },
    );
  }
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
 * absolute path a shell completed), or from the project's root wherever it
 * runs (`scripts/fix.ts` inside `scripts/`), when only one of the two files
 * is there.
 *
 * @throws UsageError (64) when the path names one script from where the command runs and another from the project's root.
 */
function bundleScriptPath(path: string, cwd: string): string {
  if (!path.endsWith('.ts')) return path;
  const project = findProject(cwd);
  const fromHere = resolve(cwd, path);
  const fromRoot = resolve(project.root, path);
  const found = [...new Set([fromHere, fromRoot])].filter((file) => existsSync(file) && inScriptsDir(project.scriptsDir, file));
  if (found.length > 1) {
    throw new UsageError(`${path} names two scripts: ${fromHere} from here, and ${fromRoot} from the project's root.`, {
      hint: `Give the one to run by its absolute path, or from the project's root: cd ${project.root}`,
    });
  }
  const file = found[0] ?? fromHere;
  return inScriptsDir(project.scriptsDir, file) ? scriptNameOf(relative(project.scriptsDir, file).split(sep).join('/')) : path;
}

/**
 * A script's name with every character its path may not hold made `-`
 * (`scripts/with space/my script.ts` → `scripts/with-space/my-script.ts`).
 */
function scriptPathLike(name: string): string {
  const parts = name.slice(SCRIPTS_IN_RELEASE.length).split('/');
  const file = (parts.pop() ?? '').replace(/[^A-Za-z0-9_.-]/g, '-');
  return scriptNameOf([...parts.map((part) => part.replace(/[^A-Za-z0-9_-]/g, '-')), file].join('/'));
}

/** Whether `file` is inside the scripts directory (below it, not it). */
function inScriptsDir(scriptsDir: string, file: string): boolean {
  const inScripts = relative(scriptsDir, file);
  return inScripts !== '' && !inScripts.startsWith('..') && !isAbsolute(inScripts);
}

export { runScript };
export type { RunCommandOptions };
