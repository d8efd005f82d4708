import { findProject, stageOf } from '../core/project.js';
import { prepareLocalRun } from '../platform/local-early.js';
import { checkInvokeInput, type InvokeCommandOptions } from './invoke-input.js';
import type { CliIo } from './io.js';

/**
 * The first step of `cnf-admin invoke`, taken before the rest of the
 * command loads: when the input is right, the stage is local and a run will
 * follow, the run's process (the shim started it) loads the release now
 * (`prepareLocalRun`), while the CLI loads and checks the stage. It loads
 * few modules, and never fails: the command itself then says what is wrong,
 * if anything is.
 */
async function prepareInvoke(options: InvokeCommandOptions, io: CliIo): Promise<void> {
  // --dry-run and --detach run nothing here; AWS flags are refused on the local stage.
  if (options.dryRun === true || options.detach === true || options.region !== undefined || options.profile !== undefined) return;
  try {
    const { target } = checkInvokeInput(options);
    const project = findProject(io.cwd);
    if (stageOf(project, options.stage).platform !== 'local') return;
    await prepareLocalRun(project, target, options.task);
  } catch (error) {
    // The command meets the same problem, and reports it.
    void error;
  }
}

export { prepareInvoke };
