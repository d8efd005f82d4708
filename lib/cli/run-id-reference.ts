import { closestNames } from '../core/did-you-mean.js';
import { isCnfError, UsageError } from '../core/errors.js';
import type { Platform } from '../core/platform.js';
import { CONSOLE_TASK } from '../core/task-catalog.js';
import { assertRunIdArgument } from './run-id-argument.js';

/** The word that names the newest run wherever a run id is taken. */
const LAST_RUN = 'last';

/* How many edits away from a recorded run id a typed one is taken for a typo of it. */
const RUN_ID_TYPO_EDITS = 2;

/* How many of the newest runs a prefix or a did-you-mean looks among. */
const RECENT_RUNS = 200;

/**
 * The run a user's word names, as `logs`, `runs show` and `stop` take it:
 * `last` (the newest run, console evaluations aside), a whole run id, or the
 * unique start of one (`20261124-1439`). A word that names no run gets a
 * did-you-mean among the recent ones.
 *
 * @throws UsageError (64) for a prefix of several runs, for `last` on an empty ledger, and for a word close to, but not, a run id.
 */
async function resolveRunId(platform: Platform, typed: string, stage: string): Promise<string> {
  const listHint = { hint: `List the runs with: cnf-admin runs --stage ${stage}` };
  if (typed === LAST_RUN) {
    const [newest] = await platform.runs({ excludeTasks: [CONSOLE_TASK], limit: 1 });
    if (newest === undefined) throw new UsageError(`No runs on stage ${stage} yet, so no last one.`, listHint);
    return newest.runId;
  }
  assertRunIdArgument(typed);
  if ((await platform.run(typed)) !== undefined) return typed;
  const recent = await recentRunIds(platform);
  const starting = recent.filter((runId) => runId.startsWith(typed));
  if (starting.length === 1) return starting[0] as string;
  if (starting.length > 1) {
    const shown = starting.slice(0, 5).join(', ');
    throw new UsageError(
      `${JSON.stringify(typed)} starts ${starting.length} run ids on stage ${stage}: ${shown}${starting.length > 5 ? ', and more' : ''}. Type more of it.`,
      listHint,
    );
  }
  // Two run ids of one minute differ in a few characters only: a third of an id's length would call a run
  // that is just starting (a --detach followed at once) a typo of the one before it.
  const close = closestNames(typed, recent, RUN_ID_TYPO_EDITS);
  if (close.length > 0) {
    throw new UsageError(
      `No run ${JSON.stringify(typed)} on stage ${stage}. Did you mean ${close.map((id) => JSON.stringify(id)).join(' or ')}?`,
      listHint,
    );
  }
  // Nothing close in the ledger: the command says what it finds (a log may outlive its record).
  return typed;
}

/**
 * The newest run ids, for a prefix or a did-you-mean; none when the ledger
 * cannot be listed (an operator allowed to read single runs only, an
 * endpoint without the ledger): the command then says what it finds.
 */
async function recentRunIds(platform: Platform): Promise<string[]> {
  try {
    return (await platform.runs({ limit: RECENT_RUNS })).map((record) => record.runId);
  } catch (error) {
    if (isCnfError(error)) return [];
    throw error;
  }
}

export { LAST_RUN, resolveRunId };
