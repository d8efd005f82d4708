import { argsLimitProblem, MAX_ARGS_BYTES } from '../core/args-limits.js';
import { RESERVED_TASK_PREFIX } from '../core/task-catalog.js';
import { isValidRunId, newRunId, RUN_SOURCES, type AdminEvent, type RunSource } from '../core/run.js';

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
  const event = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<keyof AdminEvent, unknown>>;
  const runId = event.runId ?? newRunId();
  const task = typeof event.task === 'string' ? event.task : '';
  if (task === '')
    return { ok: false, runId: String(runId), task, message: 'The admin event has no "task": send e.g. {"task": "<task name>"}.' };
  if (!isValidRunId(runId))
    return {
      ok: false,
      runId: newRunId(),
      task,
      message: `Invalid runId ${JSON.stringify(runId)}: use 1-128 letters, digits, '.', '_' or '-'.`,
    };
  const source = event.source ?? 'console';
  if (!RUN_SOURCES.includes(source as RunSource)) {
    return { ok: false, runId, task, message: `Invalid source ${JSON.stringify(source)}: use one of ${RUN_SOURCES.join(', ')}.` };
  }
  const args = event.args ?? {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return { ok: false, runId, task, message: `"args" must be an object, got: ${JSON.stringify(args)}` };
  }
  const argv = event.argv ?? [];
  if (!Array.isArray(argv) || !argv.every((token) => typeof token === 'string')) {
    return { ok: false, runId, task, message: `"argv" must be an array of strings, got: ${JSON.stringify(argv)}` };
  }
  // A reserved task's args are the tool's own (a console session's state): only their depth is bounded here.
  const maxBytes = task.startsWith(RESERVED_TASK_PREFIX) ? Infinity : MAX_ARGS_BYTES;
  const tooBig = argsLimitProblem("The event's args", args, argv as string[], maxBytes);
  if (tooBig !== undefined) return { ok: false, runId, task, message: tooBig };
  const waitLockSeconds = event.waitLockSeconds;
  if (waitLockSeconds !== undefined && !(typeof waitLockSeconds === 'number' && waitLockSeconds >= 0)) {
    return {
      ok: false,
      runId,
      task,
      message: `"waitLockSeconds" must be a number of seconds >= 0, got: ${JSON.stringify(waitLockSeconds)}`,
    };
  }
  const configVersion = event.configVersion;
  if (configVersion !== undefined && !(typeof configVersion === 'number' && Number.isInteger(configVersion) && configVersion >= 1)) {
    return {
      ok: false,
      runId,
      task,
      message: `"configVersion" must be a config version number (7 for v7), got: ${JSON.stringify(configVersion)}`,
    };
  }
  return {
    ok: true,
    event: {
      task,
      args: args as Record<string, unknown>,
      argv: argv as string[],
      runId,
      source: source as RunSource,
      caller: typeof event.caller === 'string' && event.caller !== '' ? event.caller : `lambda-${source}`,
      ...(waitLockSeconds === undefined ? {} : { waitLockSeconds: waitLockSeconds as number }),
      ...(configVersion === undefined ? {} : { configVersion: configVersion as number }),
    },
  };
}

export { readEvent };
export type { CompleteEvent, ReadEvent };
