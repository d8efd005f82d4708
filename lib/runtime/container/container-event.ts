/** The environment variable that carries the admin event into a container task (a RunTask override sets it). */
const ADMIN_EVENT_VARIABLE = 'CNF_ADMIN_EVENT';

/** The environment variable that carries the run's time limit in seconds (a RunTask override sets it). */
const TIME_LIMIT_VARIABLE = 'CNF_TIME_LIMIT_SECONDS';

/** The admin event a container task was started with, or why there is none. */
type ContainerEvent =
  { readonly ok: true; readonly event: unknown; readonly runId?: string } | { readonly ok: false; readonly message: string };

/**
 * Reads the admin event of a container task: JSON in `CNF_ADMIN_EVENT`, or
 * as the first argument (a schedule or the console may set either).
 */
function readContainerEvent(env: NodeJS.ProcessEnv, argv: readonly string[]): ContainerEvent {
  const raw = env[ADMIN_EVENT_VARIABLE] ?? argv[0];
  if (raw === undefined || raw === '') {
    return {
      ok: false,
      message: `No admin event: set ${ADMIN_EVENT_VARIABLE} to one as JSON, e.g. {"task": "<task>"} (cnf-admin invoke does).`,
    };
  }
  let event: unknown;
  try {
    event = JSON.parse(raw);
  } catch (error) {
    return { ok: false, message: `${ADMIN_EVENT_VARIABLE} is not JSON (${(error as Error).message}): ${raw.slice(0, 200)}` };
  }
  const runId = (event as { runId?: unknown } | null)?.runId;
  return { ok: true, event, ...(typeof runId === 'string' ? { runId } : {}) };
}

export { ADMIN_EVENT_VARIABLE, readContainerEvent, TIME_LIMIT_VARIABLE };
export type { ContainerEvent };
