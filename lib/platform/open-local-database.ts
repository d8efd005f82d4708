/*
 * The CLI's door to the local stage's embedded database, for `cnf-admin db`:
 * apart from open-platform.ts, so that a `db` command loads the database's
 * code alone, not what the rest of the local stage reads (releases, aliases,
 * the run process the shim starts). `db start` waits on this load before
 * PostgreSQL starts.
 */
import type { LocalDatabaseCapability } from '../core/platform-capabilities.js';
import type { Project } from '../core/project.js';
import { ensureDatabaseWithProgress } from './local/database-progress.js';
import { embeddedDatabaseStatus, resetEmbeddedDatabase, stopEmbeddedDatabase } from './local/embedded-database.js';
import { localPaths } from './local/local-paths.js';
import { assertStateDirectories } from './local/local-state.js';

/**
 * The embedded database of a project's local stage, for `cnf-admin db`:
 * opened without the rest of the local platform, so that it starts nothing
 * and checks no other state. The caller checks that the stage has one.
 */
function openLocalDatabase(project: Project): LocalDatabaseCapability {
  const paths = localPaths(project);
  // As for every command of the local stage: a .cnf that is a file is 69, said before anything reads it.
  assertStateDirectories(paths);
  return {
    location: paths.database,
    status: () => embeddedDatabaseStatus(paths),
    url: (progress) => ensureDatabaseWithProgress(paths, progress, project.databaseUrlVariable),
    stop: () => stopEmbeddedDatabase(paths),
    reset: () => resetEmbeddedDatabase(paths),
  };
}

export { openLocalDatabase };
