import { argsLimitProblem, MAX_ARGS_BYTES } from '../core/args-limits.js';
import { RESERVED_TASK_PREFIX } from '../core/task-catalog.js';
import { parseAdminEvent } from '../core/admin-event-schema.js';
import { isValidRunId, newRunId, type AdminEvent, type RunSource } from '../core/run.js';

/** An admin event with its defaults filled in. */
interface CompleteEvent extends AdminEvent {
  readonly args: Readonly<Record<string, unknown>>;
  readonly argv: readonly string[];
  readonly runId: string;
  readonly source: RunSource;
  readonly caller: string;
}

/** An admin event after its defaults are filled in, or the reason it is unusable. */
type ReadEvent =
  | { readonly ok: true; readonly event: CompleteEvent }
  | { readonly ok: false; readonly runId: string; readonly task: string; readonly message: string };

/**
 * Reads an admin event and fills in its defaults: a run id (made here when
 * the caller sent none), the source (`console` for a bare Lambda console test
 * event), the caller. Says what is wrong when it is unusable, including args
 * deeper or larger than the limits (`lib/core/args-limits.ts`), which are
 * refused before anything reads them.
 */
function readEvent(raw: unknown): ReadEvent {
  // A bare Lambda console test event that is no object has no task: said so, as for `{}`.
  const value = typeof raw === 'object' && raw !== null ? raw : {};
  const parsed = parseAdminEvent(value);
  if (!parsed.ok) {
    const given = (value as { runId?: unknown; task?: unknown }).runId;
    const task = (value as { task?: unknown }).task;
    // A refusal names a run id: the one the caller sent when it is valid, else a new one.
    const runId = parsed.field !== 'runId' && isValidRunId(given) ? given : newRunId();
    return { ok: false, runId, task: typeof task === 'string' ? task : '', message: parsed.message };
  }
  const event = parsed.event;
  const runId = event.runId ?? newRunId();
  const { task } = event;
  const source = event.source ?? 'console';
  const args = event.args ?? {};
  const argv = event.argv ?? [];
  // A reserved task's args are the tool's own (a console session's state): only their depth is bounded here.
  const maxBytes = task.startsWith(RESERVED_TASK_PREFIX) ? Infinity : MAX_ARGS_BYTES;
  const tooBig = argsLimitProblem("The event's args", args, argv, maxBytes);
  if (tooBig !== undefined) return { ok: false, runId, task, message: tooBig };
  return {
    ok: true,
    event: {
      task,
      args,
      argv,
      runId,
      source,
      caller: event.caller !== undefined && event.caller !== '' ? event.caller : `lambda-${source}`,
      ...(event.waitLockSeconds === undefined ? {} : { waitLockSeconds: event.waitLockSeconds }),
      ...(event.configVersion === undefined ? {} : { configVersion: event.configVersion }),
    },
  };
}

export { readEvent };
export type { CompleteEvent, ReadEvent };
