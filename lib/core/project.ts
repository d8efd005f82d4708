import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { didYouMean } from './did-you-mean.js';
import * as z from 'zod/mini';
import { UsageError } from './errors.js';
import { assertValidAppName, assertValidStageName, LOCAL_STAGE, type Stage } from './stage.js';

/** The config key of the embedded database's URL, unless `context.cnf.databaseUrlVariable` names another. */
const DEFAULT_DATABASE_URL_VARIABLE = 'DATABASE_URL';

/* An environment variable's name: what a config key the app reads as a URL should look like. */
const CONFIG_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/* Names every object answers to (`__proto__`, `constructor`, `toString`): never a config key, which is read from an object. */
const OBJECT_MEMBERS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The file that marks a project's root and carries its settings. */
const PROJECT_FILE = 'cdk.json';

/** A cnf-admin project: an app, its stages, and where its files are. */
interface Project {
  /** The directory that holds `cdk.json`. */
  readonly root: string;
  /** The app name; every resource name derives from app + stage. */
  readonly app: string;
  /** The directory of the application code: the default place of both entries and the base of {@link Project.assetDirs}. */
  readonly lambdaDir: string;
  /** The web entry (it exports the web `handler`), absolute. */
  readonly webEntry: string;
  /** The admin entry (it exports `handler = createAdminHandler(...)`), absolute. */
  readonly adminEntry: string;
  /**
   * Directories shipped inside every bundle as they are, relative to
   * {@link Project.lambdaDir}, at the same place relative to the bundle root
   * (`lambda/migrations/0001.sql` ships as `migrations/0001.sql`).
   */
  readonly assetDirs: readonly string[];
  /** The directory of the one-time scripts that `cnf-admin run` runs, absolute; they ship under `scripts/` in the bundle. */
  readonly scriptsDir: string;
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
  readonly webEntry?: unknown;
  readonly adminEntry?: unknown;
  readonly assetDirs?: unknown;
  readonly scriptsDir?: unknown;
  readonly stages?: unknown;
  readonly databaseUrlVariable?: unknown;
}

/**
 * The layout a project has unless `context.cnf` says otherwise: the settings
 * `cnf-admin init` writes, and what this repository's example app uses.
 */
const DEFAULT_LAYOUT = {
  lambdaDir: 'lambda',
  /** Relative to the lambda directory. */
  webEntry: 'web.ts',
  /** Relative to the lambda directory. */
  adminEntry: 'admin.ts',
  assetDirs: [] as readonly string[],
  scriptsDir: 'scripts',
} as const;

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
        hint: 'Run cnf-admin inside a project: a directory with a cdk.json whose context.cnf.app names the app. To make this directory one: cnf-admin init',
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`, {
      hint: `Mend it in an editor (it is the CDK's project file; cnf-admin reads context.cnf from it). Nothing ran.`,
      cause: error,
    });
  }
  return projectOf(root, parsed);
}

/**
 * The project rooted at `root` whose `cdk.json` holds `cdkJson`, parsed:
 * for a caller that has the settings in hand, such as `cnf-admin init`
 * before it writes them.
 *
 * @throws UsageError naming the file and the bad value.
 */
function projectOf(root: string, cdkJson: unknown): Project {
  const file = join(root, PROJECT_FILE);
  const settings = settingsOf(file, cdkJson);
  assertValidAppName(settings.app);
  const lambdaDir = relativePath(file, 'lambdaDir', settings.lambdaDir ?? DEFAULT_LAYOUT.lambdaDir);
  const entryOf = (key: 'webEntry' | 'adminEntry') =>
    settings[key] === undefined ? join(lambdaDir, DEFAULT_LAYOUT[key]) : relativePath(file, key, settings[key]);
  const databaseUrlVariable = settings.databaseUrlVariable ?? DEFAULT_DATABASE_URL_VARIABLE;
  if (typeof databaseUrlVariable !== 'string' || !CONFIG_KEY_PATTERN.test(databaseUrlVariable) || OBJECT_MEMBERS.has(databaseUrlVariable)) {
    throw new UsageError(
      `context.cnf.databaseUrlVariable in ${file} must be a config key such as "DATABASE_URL", got: ${JSON.stringify(databaseUrlVariable)}`,
    );
  }
  const webEntry = resolve(root, entryOf('webEntry'));
  const adminEntry = resolve(root, entryOf('adminEntry'));
  if (webEntry === adminEntry) {
    throw new UsageError(
      `context.cnf.webEntry and adminEntry in ${file} name one file, ${relative(root, webEntry)}; the web and the admin entry are two.`,
      {
        hint: `Name two files, e.g. "webEntry": ${JSON.stringify(defaultOf('webEntry'))}, "adminEntry": ${JSON.stringify(defaultOf('adminEntry'))}.`,
      },
    );
  }
  const assetDirs = readAssetDirs(file, settings.assetDirs);
  const scriptsDir = resolve(root, relativePath(file, 'scriptsDir', settings.scriptsDir ?? DEFAULT_LAYOUT.scriptsDir));
  assertNotAFile(file, 'scriptsDir', scriptsDir);
  for (const dir of assetDirs) assertNotAFile(file, 'assetDirs', resolve(root, lambdaDir, dir));
  return {
    databaseUrlVariable,
    root,
    app: settings.app,
    lambdaDir: resolve(root, lambdaDir),
    webEntry,
    adminEntry,
    assetDirs,
    scriptsDir,
    stages: readStages(file, settings.stages),
    stateDir: join(root, '.cnf'),
  };
}

/** A directory setting whose path holds something other than a directory (a file): the bundle could not read it. */
function assertNotAFile(file: string, key: string, path: string): void {
  let stats;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    // Unreadable on the way there: the bundler reports it where it reads.
    if ((error as NodeJS.ErrnoException).code !== undefined) return;
    throw error;
  }
  if (stats === undefined || stats.isDirectory()) return;
  throw new UsageError(`context.cnf.${key} in ${file} names ${path}, which is not a directory.`, {
    hint: 'Name a directory there, or remove the setting.',
  });
}

/**
 * A setting that names a path inside the project: relative, and not above the
 * project root (the bundle is built from the project, and so is its release id).
 */
function relativePath(file: string, key: string, value: unknown, base = 'the project root'): string {
  if (typeof value !== 'string' || value.trim() === '' || isAbsolute(value) || normalize(value).split(sep).includes('..')) {
    throw new UsageError(`context.cnf.${key} in ${file} must be a path relative to ${base}, inside it, got: ${JSON.stringify(value)}`, {
      hint: `Remove it to use the default, or name a path such as ${JSON.stringify(defaultOf(key))}.`,
    });
  }
  // `sql/` and `sql` are one directory.
  return normalize(value).replace(/(.)[\\/]+$/, '$1');
}

function defaultOf(key: string): string {
  if (key === 'webEntry' || key === 'adminEntry') return `${DEFAULT_LAYOUT.lambdaDir}/${DEFAULT_LAYOUT[key]}`;
  if (key === 'assetDirs') return 'sql';
  return key in DEFAULT_LAYOUT ? String(DEFAULT_LAYOUT[key as keyof typeof DEFAULT_LAYOUT]) : '';
}

function readAssetDirs(file: string, declared: unknown): readonly string[] {
  if (declared === undefined) return DEFAULT_LAYOUT.assetDirs;
  if (!Array.isArray(declared)) {
    throw new UsageError(
      `context.cnf.assetDirs in ${file} must be a list of directories relative to the lambda directory, got: ${JSON.stringify(declared)}`,
      { hint: 'For example: "assetDirs": ["sql"] (or [] to ship none).' },
    );
  }
  const dirs = declared.map((dir: unknown) => relativePath(file, 'assetDirs', dir, 'the lambda directory'));
  const repeated = dirs.find((dir, index) => dirs.indexOf(dir) !== index);
  if (repeated !== undefined) {
    throw new UsageError(`context.cnf.assetDirs in ${file} names ${JSON.stringify(repeated)} twice.`);
  }
  return dirs;
}

/*
 * The keys `context.cnf` and each of its stages may hold. The schema checks
 * the whole of it before any value is used: a misspelt key (`scriptDir`) is
 * refused with a did-you-mean, never ignored. The values' own checks, which
 * name the file and what to write, follow in projectOf.
 */
const SETTING = z.optional(z.unknown());
const stageSettingsSchema = z.strictObject({
  platform: SETTING,
  region: SETTING,
  database: SETTING,
  releasePhase: SETTING,
  autoDeploy: SETTING,
});
const settingsSchema = z.strictObject({
  app: SETTING,
  lambdaDir: SETTING,
  webEntry: SETTING,
  adminEntry: SETTING,
  assetDirs: SETTING,
  scriptsDir: SETTING,
  databaseUrlVariable: SETTING,
  stages: SETTING,
});

function settingsOf(file: string, parsed: unknown): ProjectSettings {
  const context = (parsed as { context?: { cnf?: unknown } } | null)?.context;
  const settings = context !== null && typeof context === 'object' && Object.hasOwn(context, 'cnf') ? context.cnf : undefined;
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new UsageError(`${file} has no context.cnf settings.`, {
      hint: 'Add "context": { "cnf": { "app": "<your app>" } } to cdk.json, or have cnf-admin init add it (it keeps the rest of cdk.json): cnf-admin init',
    });
  }
  checkKeys(file, settings, settingsSchema.shape, 'context.cnf');
  const stages = (settings as { stages?: unknown }).stages;
  if (typeof stages === 'object' && stages !== null && !Array.isArray(stages)) {
    for (const [name, stage] of Object.entries(stages)) {
      if (typeof stage === 'object' && stage !== null) checkKeys(file, stage, stageSettingsSchema.shape, `context.cnf.stages.${name}`);
    }
  }
  return settings as ProjectSettings;
}

/** Refuses a key the schema does not know, naming it, where it is, and the closest known key. */
function checkKeys(file: string, value: object, shape: object, where: string): void {
  const known = Object.keys(shape);
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  const first = unknown[0];
  if (first === undefined) return;
  throw new UsageError(`Unknown key ${JSON.stringify(first)} in ${where} of ${file}.${didYouMean(first, known)}`, {
    hint: `The keys ${where} takes: ${known.join(', ')}.`,
  });
}

function readStages(file: string, declared: unknown): ReadonlyMap<string, Stage> {
  const stages = new Map<string, Stage>([[LOCAL_STAGE, { name: LOCAL_STAGE, platform: 'local' }]]);
  if (declared === undefined) return stages;
  if (typeof declared !== 'object' || declared === null || Array.isArray(declared)) {
    throw new UsageError(`context.cnf.stages in ${file} must be an object of stage settings, got: ${JSON.stringify(declared)}`);
  }
  for (const [name, value] of Object.entries(declared)) {
    assertValidStageName(name);
    const settings = (value ?? {}) as {
      platform?: unknown;
      region?: unknown;
      database?: unknown;
      releasePhase?: unknown;
      autoDeploy?: unknown;
    };
    const platform = settings.platform ?? (name === LOCAL_STAGE ? 'local' : 'aws');
    if (platform !== 'local' && platform !== 'aws') {
      throw new UsageError(`Stage ${name} in ${file} has platform ${JSON.stringify(platform)}; use "local" or "aws".`);
    }
    if (platform === 'local' && name !== LOCAL_STAGE) {
      throw new UsageError(`Stage ${name} in ${file} is local; only the stage named "local" lives on this machine.`);
    }
    if (platform !== 'local' && name === LOCAL_STAGE) {
      throw new UsageError(
        `Stage local in ${file} has platform ${JSON.stringify(platform)}; the stage named "local" lives on this machine.`,
        {
          hint: 'Give it "platform": "local" (or leave platform out), and name an AWS stage otherwise ("dev", "prod").',
        },
      );
    }
    if (settings.region !== undefined && typeof settings.region !== 'string') {
      throw new UsageError(
        `Stage ${name} in ${file} has region ${JSON.stringify(settings.region)}; use a region name such as "eu-west-1".`,
      );
    }
    if (settings.database !== undefined && (settings.database !== 'postgres' || platform !== 'local')) {
      throw new UsageError(
        `Stage ${name} in ${file} has database ${JSON.stringify(settings.database)}; only the local stage takes one, and it is "postgres".`,
      );
    }
    if (
      settings.releasePhase !== undefined &&
      (typeof settings.releasePhase !== 'string' || !/^[a-z][a-z0-9:_-]*$/i.test(settings.releasePhase))
    ) {
      throw new UsageError(
        `Stage ${name} in ${file} has releasePhase ${JSON.stringify(settings.releasePhase)}; use a task name such as "migrate".`,
      );
    }
    if (settings.autoDeploy !== undefined && (typeof settings.autoDeploy !== 'boolean' || platform !== 'local')) {
      throw new UsageError(
        `Stage ${name} in ${file} has autoDeploy ${JSON.stringify(settings.autoDeploy)}; only the local stage takes it, and it is true or false.`,
      );
    }
    stages.set(name, {
      name,
      platform,
      ...(settings.autoDeploy === undefined ? {} : { autoDeploy: settings.autoDeploy }),
      ...(settings.region === undefined ? {} : { region: settings.region }),
      ...(settings.database === undefined ? {} : { database: 'postgres' as const }),
      ...(settings.releasePhase === undefined ? {} : { releasePhase: settings.releasePhase }),
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
    throw new UsageError(
      `Unknown stage ${JSON.stringify(name)}.${didYouMean(name, project.stages.keys())} This project's stages: ${known}.`,
      {
        hint: 'Declare AWS stages under context.cnf.stages in cdk.json.',
      },
    );
  }
  return stage;
}

export { DEFAULT_LAYOUT, findProject, loadProject, PROJECT_FILE, projectOf, stageOf };
export type { Project };
