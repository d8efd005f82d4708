import { argsHash } from '../core/args-hash.js';
import { formatMoment } from '../core/format-moment.js';
import { isCnfError, TryAgainError, UsageError } from '../core/errors.js';
import { checkEventAgainstCatalog } from '../core/event-check.js';
import type { InvokePlan, Platform } from '../core/platform.js';
import { runIdReuseProblem } from '../core/run-id-reuse.js';
import { takesOverRefusedStart } from '../core/refused-start.js';
import { resultOfRecord, settledRecord, type AdminEvent, type RunResult } from '../core/run.js';
import type { TaskCatalog } from '../core/task-catalog.js';
import { UnknownArgError } from '../core/task-arg-flags.js';
import { UnknownTaskError } from '../core/task-lookup.js';
import { ownFlagAfterDashes } from './own-flag-after-dashes.js';
import { redactArgs } from '../runtime/task-args.js';
import { maskTypedSecrets } from './secret-mask.js';
import { unlistedTaskRefusal } from './unlisted-task.js';
import { scriptWrittenAsTaskHint } from './script-written-as-task.js';
import type { Project } from '../core/project.js';

/** What the check before a detached or dry run found: nothing in the way, or the run the id already names. */
type Preflight = { readonly ok: true; readonly args: Readonly<Record<string, unknown>> } | { readonly ok: false; readonly ran: RunResult };

/**
 * Checks a run before `--detach` starts it or `--dry-run` shows its plan, as
 * a foreground invoke would be refused: the task or script in the planned
 * release's catalog, its flags and args against the task's schema, and a
 * `--run-id` against the ledger (another task, other args, a run still in
 * progress). Refusals throw the error, and so exit code, the admin function
 * gives.
 *
 * @param reusedId - whether the caller chose the run id (`--run-id`): only then can the ledger hold it
 * @param project - the checkout, which may define a task its admin entry does not list
 * @param builtCatalog - the catalog of the release the plan names, when it is built but not stored (a dry run's working tree)
 * @returns the args as the run would get them (flags merged, the schema's defaults applied), as the ledger keeps them
 * (sensitive and secret-looking args replaced, secure values masked),
 * or `ok: false` with that run's outcome when the run id already ran with these args
 * @throws UsageError (64) or TryAgainError (75)
 */
async function preflight(
  platform: Platform,
  plan: InvokePlan,
  event: AdminEvent & { readonly runId: string },
  reusedId: boolean,
  project: Project,
  builtCatalog?: TaskCatalog,
): Promise<Preflight> {
  const catalog = builtCatalog ?? (await platform.catalog(plan));
  let given: Readonly<Record<string, unknown>>;
  try {
    // Where the CLI cannot read the stage's secure values to mask one typed in the wrong place (AWS), it quotes no value.
    given = checkEventAgainstCatalog(
      catalog,
      plan.release,
      { ...event, args: event.args ?? {} },
      platform.kind === 'local' ? 'all' : 'none',
    );
  } catch (error) {
    if (!isCnfError(error)) throw error;
    // What the check quotes of the args (`got: "…"`) may be a secure value typed in the wrong place.
    error.message = await maskTypedSecrets(platform, error.message);
    if (error.hint !== undefined) throw error;
    // A module that defines the task, written and not listed: the hint names it, so the message says no more of how to write one.
    const unlisted =
      error instanceof UnknownTaskError ? unlistedTaskRefusal(project, event.task, error.message, plan) : { message: error.message };
    const hint =
      (error instanceof UnknownArgError ? ownFlagAfterDashes(event.task, error.flag) : undefined) ??
      unlisted.hint ??
      scriptWrittenAsTaskHint(project, event.task) ??
      `See the tasks and their args with: cnf-admin tasks --stage ${plan.stage}`;
    throw new UsageError(unlisted.message, { hint, cause: error });
  }
  // Shown by a dry run as the ledger would keep them: sensitive and secret-looking args replaced, a secure value typed as one masked.
  const sensitive = [...catalog.tasks, ...catalog.scripts].find((task) => task.name === event.task)?.sensitiveArgs;
  const args = Object.keys(given).length === 0 ? given : await maskTypedSecrets(platform, redactArgs(given, sensitive));
  const ok = { ok: true, args } as const;
  if (!reusedId) return ok;
  const claimed = await platform.run(event.runId);
  if (claimed === undefined) return ok;
  const retry = { runId: event.runId, task: event.task, args: given, argsHash: argsHash(event.runId, given) };
  const problem = runIdReuseProblem(claimed, retry);
  if (problem !== undefined) throw new UsageError(problem);
  // A run that never started (locked out, or refused by ECS): this retry runs it.
  if (takesOverRefusedStart(claimed, retry)) return ok;
  const existing = settledRecord(claimed);
  if (existing.endedAt === undefined) {
    throw new TryAgainError(
      `Run ${existing.runId} (${existing.task}) is still in progress since ${formatMoment(existing.startedAt)}, started by ${existing.caller}; nothing ran again.`,
    );
  }
  return { ok: false, ran: resultOfRecord(existing) };
}

export { preflight };
export type { Preflight };
