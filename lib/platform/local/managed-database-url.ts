import { UsageError } from '../../core/errors.js';
import type { Project } from '../../core/project.js';
import type { Stage } from '../../core/stage.js';
import { LocalParameterStore } from './local-parameters.js';
import type { LocalPaths } from './local-paths.js';

/**
 * The config key that holds the embedded database's URL on `stage`, when
 * cnf-admin manages one there (the local stage with a database), else
 * undefined.
 */
function managedDatabaseKey(project: Pick<Project, 'databaseUrlVariable'>, stage: Stage): string | undefined {
  return stage.platform === 'local' && stage.database !== undefined ? project.databaseUrlVariable : undefined;
}

/**
 * Refuses to change the managed URL with `config set` or `config unset`: the
 * embedded database's URL is the tool's, and a hand-made one would break every run.
 *
 * @throws UsageError (64) saying to use `cnf-admin db` instead.
 */
function assertUnmanagedKey(project: Pick<Project, 'databaseUrlVariable'>, stage: Stage, key: string, command: 'set' | 'unset'): void {
  if (key !== managedDatabaseKey(project, stage)) return;
  throw new UsageError(
    `${key} on stage ${stage.name} is the embedded database's URL: cnf-admin manages it, so config ${command} cannot change it.`,
    { hint: 'See it with cnf-admin db url; stop or empty the database with cnf-admin db stop or cnf-admin db reset.' },
  );
}

/**
 * Keeps the parameter set's copy of the embedded database's URL equal to the
 * one the server answers on. It is written, as a plain (not secure) value,
 * only when it differs, so a run reads what the last start decided. It is in
 * no config version: a run of any version reads the URL the server answers on.
 */
async function syncDatabaseUrl(paths: LocalPaths, variable: string, url: string): Promise<void> {
  const store = new LocalParameterStore(paths.parameters);
  const current = await store.get(variable);
  if (current?.value === url && !current.secure) return;
  await store.setManaged(variable, url);
}

export { assertUnmanagedKey, managedDatabaseKey, syncDatabaseUrl };
