import type { Progress, ProgressTask } from '../../core/progress.js';
import { ensureEmbeddedDatabase } from './embedded-database.js';
import type { LocalPaths } from './local-paths.js';

/* The embedded database's line when it starts a server: a wait of seconds. Its other lines are facts (a port that moved). */
const STARTING_DATABASE = /^Starting the embedded PostgreSQL/;

/**
 * Makes sure the embedded database serves (see `ensureEmbeddedDatabase`),
 * telling `progress` of it: a server start is a wait, which ends when the
 * server serves or fails to; the database's other lines are notes.
 *
 * @returns the database's URL.
 */
async function ensureDatabaseWithProgress(paths: LocalPaths, progress: Progress, urlVariable: string): Promise<string> {
  let wait: ProgressTask | undefined;
  let started = '';
  const tell = (message: string): void => {
    if (!STARTING_DATABASE.test(message)) return progress.note(message);
    wait = progress.start(message);
    started = message.replace(STARTING_DATABASE, 'Started the embedded PostgreSQL');
  };
  try {
    const url = await ensureEmbeddedDatabase(paths, tell, urlVariable);
    wait?.stop('ok', started);
    return url;
  } catch (error) {
    wait?.stop('fail');
    throw error;
  }
}

export { ensureDatabaseWithProgress };
