import type { Progress, ProgressTask } from '../../core/progress.js';
import { ensureEmbeddedDatabase, type DatabaseStartNews } from './embedded-database.js';
import type { LocalPaths } from './local-paths.js';

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
  const tell = (news: DatabaseStartNews): void => {
    if (news.kind === 'note') return progress.note(news.message);
    wait = progress.start(news.message);
    started = news.done;
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
