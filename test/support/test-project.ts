import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { stopEmbeddedDatabase } from '../../lib/platform/local/embedded-database.js';
import { localPaths } from '../../lib/platform/local/local-paths.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runCli, type CliResult, type RunCliOptions } from './cli.js';

/** The projects the end-to-end tests run against. */
type Fixture = 'notes' | 'tasks';

/** A throwaway copy of a project, with the repository's node_modules linked in. */
interface TestProject {
  readonly dir: string;
  /** Runs `cnf-admin` in the project. */
  cli(args: readonly string[], options?: Omit<RunCliOptions, 'cwd'>): Promise<CliResult>;
  /** Stops the embedded database, if one started, and deletes the copy. */
  cleanup(): Promise<void>;
}

const FIXTURE_SOURCES: Readonly<Record<Fixture, string>> = {
  notes: REPO_ROOT,
  tasks: join(REPO_ROOT, 'test', 'fixtures', 'tasks-app'),
};

/**
 * Copies a project (the example notes app, or the test tasks app) into a
 * temporary directory, so that each test file has its own `.cnf/` state.
 * The repository's node_modules is linked into the copy, and the repository
 * itself, as the `cnf-admin` package, beside it.
 */
function createTestProject(fixture: Fixture): TestProject {
  const base = mkdtempSync(join(tmpdir(), `cnf-e2e-${fixture}-`));
  const dir = join(base, 'app');
  mkdirSync(dir);
  const source = FIXTURE_SOURCES[fixture];
  cpSync(join(source, 'lambda'), join(dir, 'lambda'), { recursive: true });
  if (existsSync(join(source, 'scripts'))) cpSync(join(source, 'scripts'), join(dir, 'scripts'), { recursive: true });
  cpSync(join(source, 'cdk.json'), join(dir, 'cdk.json'));
  cpSync(join(REPO_ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // The project imports `cnf-admin/runtime` as any app does, by the package's
  // name: Node's and esbuild's lookup walks up from the project to the
  // repository's package, linked in one level above it, and resolves it
  // through its `exports` to the built dist/ (npm run build).
  mkdirSync(join(base, 'node_modules'));
  symlinkSync(REPO_ROOT, join(base, 'node_modules', 'cnf-admin'), 'dir');
  return {
    dir,
    cli: (args, options = {}) => runCli(args, { ...options, cwd: dir }),
    async cleanup() {
      await stopEmbeddedDatabase(localPaths({ stateDir: join(dir, '.cnf') }));
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export { createTestProject };
export type { Fixture, TestProject };
