/*
 * The errors with which the admin function refuses an event before anything
 * runs: bad input, a task or script the release lacks, a run id already in
 * progress, another release, the console switched off, the ledger out of
 * reach. The runtime puts the name on the run result's error; the CLI and
 * the platforms tell a refusal (nothing ran, so there is no run log) from a
 * failed run by it. Both sides take the names from here.
 */

/** Every refusal's error name. */
const REFUSAL_NAMES = [
  'InvalidEvent',
  'UnknownTask',
  'InvalidArgs',
  'ScriptNotInRelease',
  'RunInProgressError',
  'RunIdConflictError',
  'ReleaseMismatch',
  'ConsoleDisabledError',
  'LedgerUnavailableError',
  'LedgerThrottledError',
  'UnknownRun',
  'RunNotStoppable',
  'ContainerTasksUnavailable',
] as const;

/** The name of a refusal's error: `result.error.name` when the admin function refused the event. */
type RefusalName = (typeof REFUSAL_NAMES)[number];

const NAMES: ReadonlySet<string> = new Set(REFUSAL_NAMES);

/** Whether `name` is a refusal's error name. */
function isRefusalName(name: string | undefined): name is RefusalName {
  return name !== undefined && NAMES.has(name);
}

export { isRefusalName, REFUSAL_NAMES };
export type { RefusalName };
