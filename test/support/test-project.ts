import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { stopEmbeddedDatabase } from '../../lib/platform/local/embedded-database.js';
import { localPaths } from '../../lib/platform/local/local-paths.js';
import { REPO_ROOT, runCli, type CliResult, type RunCliOptions } from './cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * The local stage (`.cnf/`) of a copy of the tasks fixture right after
     * its first `cnf-admin deploy`, made once per run
     * (test/support/deployed-fixtures-setup.ts); absent where no setup made it.
     */
    deployedTasks?: string;
    /** The same, of the example notes app. */
    deployedNotes?: string;
  }
}

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

/** How {@link createTestProject} makes the copy. */
interface TestProjectOptions {
  /**
   * Whether the project starts deployed, as its first `cnf-admin deploy`
   * leaves it (the default, where the run made one: the same release, built
   * once per run instead of once per file). `false` for a project whose
   * first command must find no release.
   */
  readonly deployed?: boolean;
}

/**
 * Copies a project (the example notes app, or the test tasks app) into a
 * temporary directory, so that each test file has its own `.cnf/` state.
 * The repository's node_modules is linked into the copy, and the repository
 * itself, as the `cnf-admin` package, beside it. Sources keep their times:
 * every copy of a fixture then matches the release a copy deployed.
 */
function createTestProject(fixture: Fixture, options: TestProjectOptions = {}): TestProject {
  const base = mkdtempSync(join(tmpdir(), `cnf-e2e-${fixture}-`));
  const dir = join(base, 'app');
  mkdirSync(dir);
  const source = FIXTURE_SOURCES[fixture];
  const copy = { recursive: true, preserveTimestamps: true };
  cpSync(join(source, 'lambda'), join(dir, 'lambda'), copy);
  if (existsSync(join(source, 'scripts'))) cpSync(join(source, 'scripts'), join(dir, 'scripts'), copy);
  cpSync(join(source, 'cdk.json'), join(dir, 'cdk.json'), copy);
  cpSync(join(REPO_ROOT, 'package-lock.json'), join(dir, 'package-lock.json'), copy);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // The project imports `cnf-admin/runtime` as any app does, by the package's
  // name: Node's and esbuild's lookup walks up from the project to the
  // repository's package, linked in one level above it, and resolves it
  // through its `exports` to the built dist/ (npm run build).
  mkdirSync(join(base, 'node_modules'));
  symlinkSync(REPO_ROOT, join(base, 'node_modules', 'cnf-admin'), 'dir');
  // Outside vitest (the bench), no run made one: vitest's inject works only inside a test.
  const deployedStage =
    options.deployed !== false && process.env.VITEST !== undefined
      ? inject(fixture === 'tasks' ? 'deployedTasks' : 'deployedNotes')
      : undefined;
  if (deployedStage !== undefined) cpSync(deployedStage, join(dir, '.cnf'), copy);
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
export type { Fixture, TestProject, TestProjectOptions };
