import { CNF_VARIABLES, readCnfEnvironment } from '../../core/cnf-environment.js';

const ADMIN_EVENT_VARIABLE = CNF_VARIABLES.adminEvent;

/** The admin event a container task was started with, or why there is none. */
type ContainerEvent =
  { readonly ok: true; readonly event: unknown; readonly runId?: string } | { readonly ok: false; readonly message: string };

/**
 * Reads the admin event of a container task: JSON in `CNF_ADMIN_EVENT` (the
 * override the admin function gives it), or as the first argument.
 */
function readContainerEvent(env: NodeJS.ProcessEnv, argv: readonly string[]): ContainerEvent {
  const raw = readCnfEnvironment(env).adminEvent ?? argv[0];
  if (raw === undefined || raw === '') {
    return {
      ok: false,
      message: `No admin event: set ${ADMIN_EVENT_VARIABLE} to one as JSON, e.g. {"task": "<task name>"} (the admin function does when it starts a container run).`,
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

export { readContainerEvent };
export type { ContainerEvent };
