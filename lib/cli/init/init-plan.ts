import { listsTaskLoader } from '../../core/task-loader-entry.js';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { PROJECT_FILE, projectOf } from '../../core/project.js';
import { assertValidAppName } from '../../core/stage.js';
import {
  adminEntry,
  CDK_APP_COMMAND,
  cdkApp,
  cnfSettings,
  EXAMPLE_TASK,
  exampleTask,
  firstMigration,
  IGNORED,
  type InitDatabase,
  MIGRATE_TASK,
  migrateTask,
  MIGRATIONS_DIR,
  taskLoaderLine,
  tsconfig,
  webEntry,
} from './init-templates.js';
import { initWarnings } from './init-warnings.js';
import { recommendedCdkFlags } from './recommended-cdk-flags.js';

/** One file `init` writes: a new one, or one it adds to (cdk.json's `context.cnf`, `.gitignore`'s lines). */
interface PlannedWrite {
  /** Relative to the project directory, with `/`. */
  readonly path: string;
  readonly contents: string;
  readonly kind: 'create' | 'update';
  /** What it is, for the report. */
  readonly purpose: string;
}

/** A file `init` looked for and found: it stays as it is. */
interface KeptFile {
  /** Relative to the project directory, with `/` (a directory ends in `/`). */
  readonly path: string;
  /** What it is, for the report. */
  readonly purpose: string;
}

/** What `init` would do in a directory. */
interface InitPlan {
  readonly app: string;
  readonly writes: readonly PlannedWrite[];
  /** Every file `init` looked for that is there already and stays as it is, package.json first. */
  readonly kept: readonly KeptFile[];
  /** Whether cdk.json already runs a CDK app of the project's own: `init` then prints the lines to add to it. */
  readonly ownCdkApp: boolean;
  /** The task to invoke next, when `init` writes it. */
  readonly exampleTask: string | undefined;
  /** Lines the user must add to files `init` leaves alone (an admin entry of theirs lacking the migrate task). */
  readonly manualSteps: readonly string[];
  /** What in the project will not work as it is (a tsconfig that cannot resolve cnf-admin's subpaths, ...). */
  readonly warnings: readonly string[];
}

/** What `init` is asked for. */
interface InitRequest {
  /** `--app`: the app name. */
  readonly app?: string | undefined;
  /** `--database`: set up the local stage's database and migrations. */
  readonly database?: InitDatabase | undefined;
}

/** What the migrate task is, for the report. */
const MIGRATE_TASK_PURPOSE = 'the migrate task';

/** Where `init` puts the CDK app of a project that has none. */
const CDK_APP_ENTRY = 'bin/cdk-app.ts';

/**
 * Works out what `cnf-admin init` writes in `dir`, reading but writing
 * nothing: never a file that exists, except cdk.json (to add `context.cnf`
 * and, when it runs no app, `"app"`) and `.gitignore` (to add lines).
 *
 * @throws UsageError when there is no package.json, when it is not an ES
 * module package, or when no valid app name is given or can be derived.
 */
function planInit(dir: string, request: InitRequest): InitPlan {
  const pkg = readPackageJson(dir);
  const writes: PlannedWrite[] = [];
  const kept: KeptFile[] = [{ path: 'package.json', purpose: 'an ES module package' }];
  const manualSteps: string[] = [];
  const cdkJsonFile = join(dir, PROJECT_FILE);
  const existing = existsSync(cdkJsonFile) ? readJson(cdkJsonFile) : undefined;
  const context = (existing?.context ?? {}) as Record<string, unknown>;
  const current = context.cnf as { app?: unknown } | undefined;
  const app = appNameOf(request.app, current?.app, pkg.name);
  const cdkJson: Record<string, unknown> = { ...(existing ?? {}) };
  // An "app" that is not init's, or a CDK app entry that cdk.json does not run yet, is the project's own.
  const ownCdkApp = existing?.app === undefined ? existsSync(join(dir, CDK_APP_ENTRY)) : existing.app !== CDK_APP_COMMAND(CDK_APP_ENTRY);
  // Feature flags change what every stack synthesises: a CDK app of the project's own keeps the ones it has.
  const flags = ownCdkApp ? undefined : missingCdkFlags(dir, context);
  const cnf = current === undefined ? cnfSettings(app, request.database) : withDatabase(current, request.database);
  if (cnf !== current || flags !== undefined) {
    if (!ownCdkApp && cdkJson.app === undefined) cdkJson.app = CDK_APP_COMMAND(CDK_APP_ENTRY);
    cdkJson.context = { ...(flags ?? {}), ...context, cnf };
    const changes = [
      ...(current === undefined ? [`context.cnf added (app ${app}${request.database === undefined ? '' : `, ${request.database}`})`] : []),
      ...(current !== undefined && cnf !== current ? databaseChanges(current, cnf) : []),
      ...(flags === undefined ? [] : [`${Object.keys(flags).length} recommended CDK feature flags`]),
    ];
    writes.push({
      path: PROJECT_FILE,
      contents: `${JSON.stringify(cdkJson, null, 2)}\n`,
      kind: existing === undefined ? 'create' : 'update',
      purpose:
        existing === undefined
          ? `app ${app}, stages local, dev, prod${flags === undefined ? '' : `, ${Object.keys(flags).length} CDK feature flags`}`
          : `${changes.join('; ')}; other keys unchanged`,
    });
  }

  const project = projectOf(dir, cdkJson);
  if (!writes.some((write) => write.path === PROJECT_FILE)) {
    kept.push({ path: PROJECT_FILE, purpose: `app ${app}, stages ${[...project.stages.keys()].join(', ')}` });
  }
  const path = (absolute: string) => relative(dir, absolute).split('\\').join('/');
  /** Plans `file` unless it exists; `found` says what an existing one is (its own contents may differ from init's). */
  const create = (file: string, contents: string, purpose: string, found = purpose): boolean => {
    if (existsSync(join(dir, file))) {
      kept.push({ path: file, purpose: found });
      return false;
    }
    writes.push({ path: file, contents, kind: 'create', purpose });
    return true;
  };
  const warnings = [...initWarnings(dir, project.adminEntry)];
  const tasks = request.database === undefined ? [EXAMPLE_TASK] : [EXAMPLE_TASK, MIGRATE_TASK];
  const tasksDir = join(dirname(project.adminEntry), 'tasks');
  const wroteAdmin = create(
    path(project.adminEntry),
    adminEntry(tasks),
    `the admin entry, with the task${tasks.length > 1 ? 's' : ''} ${tasks.join(' and ')}`,
    'the admin entry',
  );
  const exampleFile = path(join(tasksDir, `${EXAMPLE_TASK}.ts`));
  // The example belongs to the admin entry init writes; one of the project's own is only reported.
  if (wroteAdmin) create(exampleFile, exampleTask(), 'an example task');
  else if (existsSync(join(dir, exampleFile))) kept.push({ path: exampleFile, purpose: 'an example task' });
  if (request.database !== undefined) {
    create(path(join(tasksDir, `${MIGRATE_TASK}.ts`)), migrateTask(), MIGRATE_TASK_PURPOSE);
  }
  // The admin entry init writes lists its tasks by file: one of the project's own there that is no task would fail every run.
  if (wroteAdmin)
    warnings.push(...tasks.flatMap((task) => notATaskWarning(dir, path(join(tasksDir, `${task}.ts`)), task, path(project.adminEntry))));
  if (request.database !== undefined) {
    // An admin entry of the project's own (or one an earlier plain init wrote) is never rewritten: until it lists
    // the migrate task, every run of init says how, and invoke migrate would be an unknown task.
    if (!wroteAdmin && !listsTask(project.adminEntry, MIGRATE_TASK)) {
      manualSteps.push(`Add the migrate task to the tasks of ${path(project.adminEntry)}:`, `  ${taskLoaderLine(MIGRATE_TASK)}`);
    }
    const migrations = join(project.lambdaDir, MIGRATIONS_DIR);
    if (existsSync(migrations)) kept.push({ path: `${path(migrations)}/`, purpose: 'the SQL migrations' });
    else create(path(join(migrations, '0001_create_items.sql')), firstMigration(), 'the first migration, to replace with your schema');
  } else if (project.stages.get('local')?.database !== undefined) {
    // Set up with --database before: what that wrote is reported, and never written again unasked.
    const found = [
      { path: path(join(tasksDir, `${MIGRATE_TASK}.ts`)), purpose: MIGRATE_TASK_PURPOSE },
      { path: `${path(join(project.lambdaDir, MIGRATIONS_DIR))}/`, purpose: 'the SQL migrations' },
    ];
    kept.push(...found.filter((file) => existsSync(join(dir, file.path))));
  }
  create(path(project.webEntry), webEntry(), 'the web entry');
  if (cdkJson.app === CDK_APP_COMMAND(CDK_APP_ENTRY))
    create(CDK_APP_ENTRY, cdkApp(app), 'the CDK app: one AdminApp stack per stage', 'the CDK app');
  create('tsconfig.json', tsconfig(), 'TypeScript settings (type-check only)', 'TypeScript settings');
  planGitignore(dir, writes, kept);
  return { app, writes, kept, ownCdkApp, exampleTask: wroteAdmin ? EXAMPLE_TASK : undefined, manualSteps, warnings };
}

/** Whether the admin entry file lists `task` among its task loaders (see {@link listsTaskLoader}); false where it cannot be read. */
function listsTask(adminEntry: string, task: string): boolean {
  let source: string;
  try {
    source = readFileSync(adminEntry, 'utf8');
  } catch {
    // Unreadable: init reports the entry as it found it; the step to list the task stands.
    return false;
  }
  return listsTaskLoader(source, task);
}

/**
 * The recommended feature flags of the project's aws-cdk-lib, when its
 * cdk.json context sets none of them yet (a new cdk.json, or one init wrote
 * before aws-cdk-lib was installed); undefined when there is nothing to add.
 * Asked only for a cdk.json that runs init's CDK app.
 */
function missingCdkFlags(dir: string, context: Record<string, unknown>): Readonly<Record<string, unknown>> | undefined {
  const flags = recommendedCdkFlags(dir);
  if (flags === undefined || Object.keys(flags).some((flag) => Object.hasOwn(context, flag))) return undefined;
  return flags;
}

/** `context.cnf` with the local stage running `database`; the same object when there is nothing to change. */
function withDatabase(cnf: Record<string, unknown>, database: InitDatabase | undefined): Record<string, unknown> {
  if (database === undefined) return cnf;
  const stages = (typeof cnf.stages === 'object' && cnf.stages !== null ? cnf.stages : {}) as Record<string, unknown>;
  const local = (Object.hasOwn(stages, 'local') && typeof stages.local === 'object' && stages.local !== null ? stages.local : {}) as Record<
    string,
    unknown
  >;
  const assetDirs = Array.isArray(cnf.assetDirs) ? (cnf.assetDirs as unknown[]) : [];
  if (local.database === database && assetDirs.includes(MIGRATIONS_DIR)) return cnf;
  return {
    ...cnf,
    assetDirs: assetDirs.includes(MIGRATIONS_DIR) ? assetDirs : [...assetDirs, MIGRATIONS_DIR],
    stages: { ...stages, local: { platform: 'local', ...local, database } },
  };
}

/** What {@link withDatabase} changed in `context.cnf`, as the plan lists it: the local stage's database, and the migrations' asset directory. */
function databaseChanges(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const localOf = (cnf: Record<string, unknown>): unknown =>
    (cnf.stages as Record<string, { database?: unknown }> | undefined)?.local?.database;
  const dirsOf = (cnf: Record<string, unknown>): unknown[] => (Array.isArray(cnf.assetDirs) ? (cnf.assetDirs as unknown[]) : []);
  return [
    ...(localOf(before) === localOf(after) ? [] : [`the local stage runs ${String(localOf(after))}`]),
    ...(dirsOf(before).includes(MIGRATIONS_DIR) ? [] : [`assetDirs takes ${MIGRATIONS_DIR} (the migrations ship in the bundle)`]),
  ];
}

function planGitignore(dir: string, writes: PlannedWrite[], kept: KeptFile[]): void {
  const file = join(dir, '.gitignore');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = new Set(text.split(/\r?\n/).map((line) => line.trim().replace(/^\//, '')));
  const missing = IGNORED.filter((entry) => !lines.has(entry) && !lines.has(entry.replace(/\/$/, '')));
  if (missing.length === 0) {
    kept.push({ path: '.gitignore', purpose: `ignores ${listed(IGNORED)}` });
    return;
  }
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  writes.push({
    path: '.gitignore',
    contents: `${text}${separator}${missing.join('\n')}\n`,
    kind: text === '' && !existsSync(file) ? 'create' : 'update',
    purpose: `ignores ${listed(missing)}`,
  });
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function readPackageJson(dir: string): { name?: unknown } {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) {
    const above = appDirAbove(dir);
    if (above === undefined) {
      throw new UsageError(`No package.json in ${dir}.`, {
        hint: "Run cnf-admin init in your app's directory, or create one first: npm init -y && npm pkg set type=module",
      });
    }
    // A directory inside an app (lambda/tasks/): npm init there would make a second package in it.
    throw new UsageError(`No package.json in ${dir}; the nearest is in ${above}, the app this directory is in.`, {
      hint: `Run init in the app's directory: cd ${relative(dir, above)} && cnf-admin init (for a new app here instead: npm init -y && npm pkg set type=module)`,
    });
  }
  const pkg = readJson(file);
  if (pkg.type !== 'module') {
    throw new UsageError(
      `${file} is not an ES module package (${pkg.type === undefined ? 'it has no "type"' : `"type" is ${JSON.stringify(pkg.type)}`}; cnf-admin projects need "type": "module").`,
      { hint: 'Set it with npm pkg set type=module (init never changes package.json itself), then run cnf-admin init again.' },
    );
  }
  return pkg;
}

/**
 * The nearest directory above `dir` that holds a package.json, when it is an
 * app's (it has a `cdk.json` or a `lambda/` too): a stray package.json in a
 * home directory, or a monorepo's root, is no app to send the user to.
 */
function appDirAbove(dir: string): string | undefined {
  for (let parent = dirname(dir); parent !== dir; dir = parent, parent = dirname(dir)) {
    if (existsSync(join(parent, 'package.json')))
      return existsSync(join(parent, 'cdk.json')) || existsSync(join(parent, 'lambda')) ? parent : undefined;
  }
  return undefined;
}

/** What to do about a file init cannot read: init writes nothing until it can. */
function mendHint(file: string): string {
  return `Mend ${basename(file)} in an editor (init wrote nothing), then run cnf-admin init again.`;
}

function readJson(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`, { hint: mendHint(file), cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${file} must hold a JSON object, got: ${JSON.stringify(parsed)}`, { hint: mendHint(file) });
  }
  return parsed as Record<string, unknown>;
}

/** The app name: `--app`, else the one cdk.json has, else the package name made valid. */
function appNameOf(requested: string | undefined, configured: unknown, packageName: unknown): string {
  if (requested !== undefined) {
    checkAppName(requested, '--app');
    if (configured !== undefined && configured !== requested) {
      throw new UsageError(`--app ${requested} differs from the app this project has already: ${JSON.stringify(configured)} in cdk.json.`, {
        hint: 'Leave out --app, or change context.cnf.app in cdk.json yourself (it names every deployed resource).',
      });
    }
    return requested;
  }
  if (configured !== undefined) return configured as string;
  const derived = appNameFromPackage(typeof packageName === 'string' ? packageName : '');
  if (derived === undefined) {
    const why = typeof packageName === 'string' ? `the package name ${JSON.stringify(packageName)}` : 'package.json, which has no "name"';
    throw new UsageError(`Cannot make an app name from ${why}.`, {
      hint: 'Name the app: cnf-admin init --app <name> (lower-case letters, digits and -, starting with a letter).',
    });
  }
  return derived;
}

function checkAppName(name: string, source: string): void {
  try {
    assertValidAppName(name);
  } catch (error) {
    throw new UsageError(`${source}: ${(error as Error).message}`, {
      cause: error,
      hint: 'For example: cnf-admin init --app my-app (every resource name derives from it: my-app-prod-admin).',
    });
  }
}

/**
 * A valid app name from a package name: without its scope, lower-case, other
 * characters as `-`, starting with a letter, at most 32 characters;
 * undefined when nothing is left (`@scope/123`).
 *
 * @example
 * appNameFromPackage('@acme/Billing_API'); // 'billing-api'
 */
function appNameFromPackage(packageName: string): string | undefined {
  const name = packageName
    .replace(/^@[^/]*\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  return name === '' ? undefined : name;
}

/**
 * The warning for a file of the project's own at the path of a task that the
 * admin entry init writes lists (`lambda/tasks/hello.ts`), when it defines no
 * task: init keeps it, and each run of that task would fail to load it.
 */
function notATaskWarning(dir: string, file: string, task: string, adminEntry: string): string[] {
  const absolute = join(dir, file);
  if (!existsSync(absolute) || /\bdefine(?:Migrate)?Task\s*\(/.test(readFileSync(absolute, 'utf8'))) return [];
  return [
    `${file} exists but is not a cnf-admin task (it does not default-export defineTask), and ${adminEntry}, which init writes, lists it as the task ${task}. ` +
      `Make it export default defineTask({ name: '${task}', ... }) from cnf-admin/runtime, or remove the ${task} line from ${adminEntry}.`,
  ];
}

export { appNameFromPackage, CDK_APP_ENTRY, planInit };
export type { InitPlan, InitRequest, KeptFile, PlannedWrite };
