import { canonicalJson } from './args-hash.js';
import type { RunRecord } from './run.js';

/* A message shows this much of a value that differs. */
const MAX_SHOWN_VALUE = 40;

function shown(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}…` : text;
}

/**
 * How two recorded args differ, key by key, or undefined when they are the
 * same. Both are compared as the ledger keeps them (redacted), so a
 * difference only in a redacted value does not show.
 *
 * @example
 * argsDifference({ count: 1 }, { count: 2 }); // 'count: 1 then, 2 now'
 */
function argsDifference(then: Readonly<Record<string, unknown>>, now: Readonly<Record<string, unknown>>): string | undefined {
  const keys = [...new Set([...Object.keys(then), ...Object.keys(now)])];
  const differing = keys.filter((key) => canonicalJson(then[key]) !== canonicalJson(now[key]));
  if (differing.length === 0) return undefined;
  return differing.map((key) => `${key}: ${shown(then[key])} then, ${shown(now[key])} now`).join('; ');
}

/** A run id's second use, as far as telling it from the first goes. */
type RunUse = Pick<RunRecord, 'runId' | 'task' | 'args' | 'argsHash'>;

/**
 * Why a run id already claimed cannot name this use of it, or undefined when
 * it is the same piece of work (the same task and args; a retry). Args are
 * compared by the hash of their raw values, so two uses that differ only in
 * a value the ledger redacts still differ.
 *
 * @example
 * runIdReuseProblem(claimed, { runId, task: 'echo', args, argsHash: argsHash(runId, given) });
 */
function runIdReuseProblem(claimed: RunUse, now: RunUse): string | undefined {
  let differs: string | undefined;
  if (claimed.task !== now.task) differs = `a run of ${claimed.task}, not ${now.task}`;
  else if (claimed.argsHash !== undefined && now.argsHash !== undefined) {
    if (claimed.argsHash !== now.argsHash) {
      const shownDifference = argsDifference(claimed.args, now.args) ?? 'a value the ledger keeps redacted';
      differs = `a run of ${claimed.task} with other args (${shownDifference})`;
    }
  } else {
    const shownDifference = argsDifference(claimed.args, now.args);
    if (shownDifference !== undefined) differs = `a run of ${claimed.task} with other args (${shownDifference})`;
  }
  if (differs === undefined) return undefined;
  return `Run id ${now.runId} already names ${differs}; nothing ran. Use a new run id, or the same task and args to get that run's outcome.`;
}

export { argsDifference, runIdReuseProblem };
export type { RunUse };
