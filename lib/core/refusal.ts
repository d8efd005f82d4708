/*
 * The errors with which the admin function refuses an event before anything
 * of its task runs: bad input, a task or script the release lacks, a run id
 * already in progress, another release, the console switched off, the
 * ledger out of reach, the task's lock held by another run. The runtime puts
 * the name on the run result's error; the CLI and the platforms tell a
 * refusal (nothing ran) from a failed run by it. Both sides take the names
 * from here.
 *
 * Every name says what was wrong, in PascalCase without an `Error` suffix
 * (it names a refusal on the wire, not a class). cnf-admin 0.1.0 answers only
 * these names; the CLI and the admin function come from one package.
 */

/** Every refusal's error name. */
const REFUSAL_NAMES = [
  'InvalidEvent',
  'UnknownTask',
  'InvalidArgs',
  'ScriptNotInRelease',
  'NotAScript',
  'RunInProgress',
  'RunIdConflict',
  'ReleaseMismatch',
  'ConsoleDisabled',
  'LedgerUnavailable',
  'LedgerThrottled',
  'UnknownRun',
  'RunNotStoppable',
  'ContainerTasksUnavailable',
  'LockHeld',
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
