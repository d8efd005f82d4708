import { join } from 'node:path';
import type { Project } from '../../core/project.js';

/** Where the local stage keeps its state, all under the project's git-ignored `.cnf/local/`. */
interface LocalPaths {
  /** The project's `.cnf/`, which holds the stage's directory and what every stage shares. */
  readonly stateDir: string;
  /** `.cnf/local/` itself. */
  readonly stageDir: string;
  /** One directory per release: `releases/<release>/bundle/` and `release.json`. */
  readonly releases: string;
  /** The alias pairs: which release `web:live` and `admin:live` point at. */
  readonly aliases: string;
  /** The parameter set. */
  readonly parameters: string;
  /** The run ledger (`runs/`) and the task locks (`locks/`). */
  readonly ledger: string;
  /** One log file per run. */
  readonly logs: string;
  /** The embedded PostgreSQL: its data directory, state and log. */
  readonly database: string;
}

/** The paths of the local stage of `project`. */
function localPaths(project: Pick<Project, 'stateDir'>): LocalPaths {
  const stageDir = join(project.stateDir, 'local');
  return {
    stateDir: project.stateDir,
    stageDir,
    releases: join(stageDir, 'releases'),
    aliases: join(stageDir, 'aliases.json'),
    parameters: join(stageDir, 'parameters.json'),
    ledger: stageDir,
    logs: join(stageDir, 'logs'),
    database: join(stageDir, 'database'),
  };
}

/** The directory holding a release's bundle: what Lambda would unpack to /var/task. */
function bundleDir(paths: LocalPaths, release: string): string {
  return join(paths.releases, release, 'bundle');
}

/** The log file of one run. */
function runLogFile(paths: LocalPaths, runId: string): string {
  return join(paths.logs, `${runId}.log`);
}

export { bundleDir, localPaths, runLogFile };
export type { LocalPaths };
