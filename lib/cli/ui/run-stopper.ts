import { UsageError } from '../../core/errors.js';
import type { Platform } from '../../core/platform.js';
import type { RunRecord } from '../../core/run.js';
import type { TaskCatalog } from '../../core/task-catalog.js';
import { runtimeOf } from '../../core/task-runtime.js';
import type { RunLauncher } from './run-launcher.js';

/* How long a stop waits for a local run to record its end before the page is told it was asked to. */
const LOCAL_END_WAIT_MS = 2_000;

/** Whether an action can be taken on a run, and why not when it cannot. */
interface Ability {
  readonly can: boolean;
  readonly why?: string;
}

/**
 * Stops runs for the page the way `cnf-admin stop` does: a run the page
 * started through its own handle; any other local run through the process
 * that runs it (SIGINT, as Ctrl-C at its terminal); an AWS container run
 * through the admin function, which stops its ECS task. A Lambda
 * invocation cannot be stopped.
 */
class RunStopper {
  constructor(
    private readonly platform: Platform,
    private readonly launcher: RunLauncher,
  ) {}

  /** Whether `record` can be stopped here, and why not when it cannot. */
  ability(record: RunRecord, catalog: TaskCatalog | undefined): Ability {
    if (record.endedAt !== undefined) return { can: false, why: 'The run has ended.' };
    if (this.launcher.holds(record.runId)) return { can: true };
    if (this.platform.localStage !== undefined) {
      if (record.owner === undefined)
        return { can: false, why: 'The run names no process that runs it (an older cnf-admin started it): stop it where it runs.' };
      return { can: true };
    }
    const task = catalog?.tasks.find((candidate) => candidate.name === record.task);
    if (task !== undefined && runtimeOf(task) === 'container' && this.platform.cloudStage !== undefined) return { can: true };
    return { can: false, why: 'A Lambda invocation cannot be stopped mid-run: it ends when its task returns or at its timeout.' };
  }

  /**
   * Stops a run `ability` allows; resolves to what was done, in a few words.
   *
   * @throws UsageError (64) when the run cannot be stopped.
   */
  async stop(record: RunRecord, catalog: TaskCatalog | undefined): Promise<string> {
    const ability = this.ability(record, catalog);
    if (!ability.can) throw new UsageError(ability.why ?? 'This run cannot be stopped.');
    if (this.launcher.stop(record.runId)) return 'asked the run to stop; it records how it ended';
    const { localStage, cloudStage } = this.platform;
    if (localStage !== undefined) {
      const ended = localStage.stop(record.runId);
      // Past the wait it goes on (up to killing the run); its end is then read from the ledger, not here.
      ended.catch(() => undefined);
      const waited = await Promise.race([
        ended,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), LOCAL_END_WAIT_MS).unref()),
      ]);
      if (waited === undefined) return 'asked the run to stop through its process; it records how it ended';
      return `stopped through its process, exit ${waited.exitCode ?? 'unknown'}`;
    }
    if (cloudStage === undefined) throw new UsageError('This run cannot be stopped.');
    const tasks = await cloudStage.stop(record.runId);
    return `stopped ECS task ${tasks.map((task) => task.split('/').pop()).join(', ')}`;
  }
}

export { RunStopper };
export type { Ability };
