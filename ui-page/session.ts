import { get } from './api.js';

/** What every page knows of the stage it shows. */
interface Session {
  stage: string;
  platform: 'local' | 'aws';
  liveRelease: string | null;
  statuses: string[];
  taskNames: string[];
}

/** Reads the session once per page. */
function loadSession(): Promise<Session> {
  return get<Session>('/api/session');
}

export { loadSession };
export type { Session };
