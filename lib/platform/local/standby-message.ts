import type { AdminEvent } from '../../core/run.js';

/**
 * One line on a standby runner's stdin (`standby-runner.ts`, started with the
 * `standbyRunner` variable of `cnf-environment.ts`): without an event, the
 * release to load now, and the module of the task the run will most likely
 * run; with one, the run: what a runner spawned for it gets from its spawn,
 * and its event.
 */
interface StandbyMessage {
  /** The whole environment to take on: the release's, or the run's. */
  readonly env: Readonly<NodeJS.ProcessEnv>;
  /** The working directory: the release's bundle. */
  readonly cwd: string;
  /** With a release to load: the task named on the command line, whose module loads too (`AdminHandler.preload`). */
  readonly task?: string;
  readonly event?: AdminEvent & { readonly runId: string };
}

export type { StandbyMessage };
