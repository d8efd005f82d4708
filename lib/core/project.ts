import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { assertValidAppName, assertValidStageName, LOCAL_STAGE, type Stage } from './stage.js';

/** The config key of the embedded database's URL, unless `context.cnf.databaseUrlVariable` names another. */
const DEFAULT_DATABASE_URL_VARIABLE = 'DATABASE_URL';

/* An environment variable's name: what a config key the app reads as a URL should look like. */
const CONFIG_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The file that marks a project's root and carries its settings. */
const PROJECT_FILE = 'cdk.json';

/** A cnf-admin project: an app, its stages, and where its files are. */
interface Project {
  /** The directory that holds `cdk.json`. */
  readonly root: string;
  /** The app name; every resource name derives from app + stage. */
  readonly app: string;
  /** The directory of the application code, with `web.ts` and `admin.ts`. */
  readonly lambdaDir: string;
  /** The stages the project declares; `local` is always among them. */
  readonly stages: ReadonlyMap<string, Stage>;
  /** The project's local state: releases, logs, the embedded database. */
  readonly stateDir: string;
  /**
   * The config key under which the local stage's embedded database puts its
   * URL (`context.cnf.databaseUrlVariable`); cnf-admin manages that key there.
   *
   * @default 'DATABASE_URL'
   */
  readonly databaseUrlVariable: string;
}

/** What `context.cnf` in `cdk.json` may hold. */
interface ProjectSettings {
  readonly app?: unknown;
  readonly lambdaDir?: unknown;
  readonly stages?: unknown;
  readonly databaseUrlVariable?: unknown;
}

/**
 * Finds the project that `startDir` is in: the nearest directory upward that
 * holds a `cdk.json`.
 *
 * @throws UsageError when there is none, or when its settings are malformed.
 */
function findProject(startDir: string): Project {
  let dir = resolve(startDir);
  while (!existsSync(join(dir, PROJECT_FILE))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new UsageError(`No ${PROJECT_FILE} found in ${resolve(startDir)} or any directory above it.`, {
        hint: 'Run cnf-admin inside a project: a directory with a cdk.json whose context.cnf.app names the app.',
      });
    }
    dir = parent;
  }
  return loadProject(dir);
}

/**
 * Reads the project rooted at `root` from its `cdk.json`.
 *
 * @throws UsageError naming the file and the bad value.
 */
function loadProject(root: string): Project {
  const file = join(root, PROJECT_FILE);
  const settings = readSettings(file);
  assertValidAppName(settings.app);
  const lambdaDir = settings.lambdaDir ?? 'lambda';
  if (typeof lambdaDir !== 'string') {
    throw new UsageError(`context.cnf.lambdaDir in ${file} must be a path, got: ${JSON.stringify(lambdaDir)}`);
  }
  const databaseUrlVariable = settings.databaseUrlVariable ?? DEFAULT_DATABASE_URL_VARIABLE;
  if (typeof databaseUrlVariable !== 'string' || !CONFIG_KEY_PATTERN.test(databaseUrlVariable)) {
    throw new UsageError(
      `context.cnf.databaseUrlVariable in ${file} must be a config key such as "DATABASE_URL", got: ${JSON.stringify(databaseUrlVariable)}`,
    );
  }
  return {
    databaseUrlVariable,
    root,
    app: settings.app,
    lambdaDir: resolve(root, lambdaDir),
    stages: readStages(file, settings.stages),
    stateDir: join(root, '.cnf'),
  };
}

function readSettings(file: string): ProjectSettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const context = (parsed as { context?: { cnf?: unknown } } | null)?.context;
  const settings = context?.cnf;
  if (typeof settings !== 'object' || settings === null) {
    throw new UsageError(`${file} has no context.cnf settings.`, {
      hint: 'Add "context": { "cnf": { "app": "<your app>" } } to cdk.json.',
    });
  }
  return settings as ProjectSettings;
}

function readStages(file: string, declared: unknown): ReadonlyMap<string, Stage> {
  const stages = new Map<string, Stage>([[LOCAL_STAGE, { name: LOCAL_STAGE, platform: 'local' }]]);
  if (declared === undefined) return stages;
  if (typeof declared !== 'object' || declared === null || Array.isArray(declared)) {
    throw new UsageError(`context.cnf.stages in ${file} must be an object of stage settings, got: ${JSON.stringify(declared)}`);
  }
  for (const [name, value] of Object.entries(declared)) {
    assertValidStageName(name);
    const settings = (value ?? {}) as { platform?: unknown; region?: unknown; database?: unknown };
    const platform = settings.platform ?? (name === LOCAL_STAGE ? 'local' : 'aws');
    if (platform !== 'local' && platform !== 'aws') {
      throw new UsageError(`Stage ${name} in ${file} has platform ${JSON.stringify(platform)}; use "local" or "aws".`);
    }
    if (platform === 'local' && name !== LOCAL_STAGE) {
      throw new UsageError(`Stage ${name} in ${file} is local; only the stage named "local" lives on this machine.`);
    }
    if (settings.region !== undefined && typeof settings.region !== 'string') {
      throw new UsageError(
        `Stage ${name} in ${file} has region ${JSON.stringify(settings.region)}; use a region name such as "eu-west-1".`,
      );
    }
    if (settings.database !== undefined && ((settings.database !== 'postgres' && settings.database !== 'pglite') || platform !== 'local')) {
      throw new UsageError(
        `Stage ${name} in ${file} has database ${JSON.stringify(settings.database)}; only the local stage takes one, and it is "postgres".`,
      );
    }
    stages.set(name, {
      name,
      platform,
      ...(settings.region === undefined ? {} : { region: settings.region }),
      ...(settings.database === undefined ? {} : { database: 'postgres' as const }),
    });
  }
  return stages;
}

/**
 * Looks up a stage by name.
 *
 * @throws UsageError listing the known stages when the project has no such stage.
 */
function stageOf(project: Project, name: string): Stage {
  const stage = project.stages.get(name);
  if (stage === undefined) {
    const known = [...project.stages.keys()].join(', ');
    throw new UsageError(`Unknown stage ${JSON.stringify(name)}. This project's stages: ${known}.`, {
      hint: 'Declare AWS stages under context.cnf.stages in cdk.json.',
    });
  }
  return stage;
}

export { findProject, loadProject, PROJECT_FILE, stageOf };
export type { Project };
