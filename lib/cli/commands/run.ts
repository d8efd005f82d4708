import { UsageError } from '../../core/errors.js';
import { isScriptPath } from '../../core/task-catalog.js';
import type { CliIo } from '../io.js';
import { invoke, type InvokeCommandOptions } from './invoke.js';

/** The options of `cnf-admin run`: those of `invoke`, with a script's path for the task. */
interface RunCommandOptions extends Omit<InvokeCommandOptions, 'task'> {
  readonly path: string;
}

/**
 * `cnf-admin run scripts/<file>.ts`: runs a one-time script of the live
 * release, exactly as `invoke` runs a task (live output, logs, exit codes,
 * the ledger). A script the release does not carry is refused: it must ship
 * with a release.
 */
async function runScript(options: RunCommandOptions, io: CliIo): Promise<number> {
  const path = options.path.replace(/^\.\//, '');
  if (!isScriptPath(path)) {
    throw new UsageError(`cnf-admin run takes the path of a .ts file under scripts/, got: ${JSON.stringify(options.path)}`, {
      hint: 'For example: cnf-admin run scripts/<file>.ts -- --dry-run (cnf-admin tasks lists the scripts of the live release)',
    });
  }
  const { path: _path, ...rest } = options;
  return invoke({ ...rest, task: path }, io);
}

export { runScript };
export type { RunCommandOptions };
