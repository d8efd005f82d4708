import { get, rememberRestartCommand } from './api.js';

/** What every page knows of the stage it shows. */
interface Session {
  stage: string;
  platform: 'local' | 'aws';
  liveRelease: string | null;
  statuses: string[];
  taskNames: string[];
  /** The command that starts `cnf-admin ui` on this stage again, as the user ran cnf-admin. */
  restart: string;
  /** Whether a run on the live release runs the checkout, deployed first where it differs (the local stage, as invoke does). */
  checkoutRuns: boolean;
}

/** Reads the session once per page, and keeps its restart command for a server that stops answering. */
async function loadSession(): Promise<Session> {
  const session = await get<Session>('/api/session');
  rememberRestartCommand(session.restart);
  return session;
}

export { loadSession };
export type { Session };
