import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { deniedError } from '../../core/file-system-fault.js';
import { delimiter, dirname, join } from 'node:path';
import { planInit, type InitPlan, type PlannedWrite } from '../init/init-plan.js';
import { UsageError } from '../../core/errors.js';
import { cdkAppLines, DATABASES, type InitDatabase } from '../init/init-templates.js';
import { stylerFor, writeLine, writeWrapped, type CliIo } from '../io.js';
import { terminalWidth, wrapText } from '../render/table.js';
import type { CommandOptions } from '../command-options.js';
import { asInvoked } from '../invocation.js';

/** The options of `cnf-admin init`, as its flags declare them (`app`: every resource name derives from it). */
type InitCommandOptions = CommandOptions<'init'>;

/** The `--database` value, checked. */
function databaseOf(value: string | undefined): InitDatabase | undefined {
  if (value === undefined) return undefined;
  const database = DATABASES.find((known) => known === value);
  if (database === undefined) {
    throw new UsageError(`--database takes ${DATABASES.join(' or ')}, got: ${JSON.stringify(value)}.`, {
      hint: "cnf-admin init --database postgres sets up SQL migrations and the local stage's embedded PostgreSQL.",
    });
  }
  return database;
}

/**
 * `cnf-admin init`: sets up the project in the working directory (which has
 * a package.json) for cnf-admin: cdk.json with the app and its stages (or
 * `context.cnf` merged into the project's own), the admin entry with an
 * example task, a web entry and a CDK app if there are none, `.gitignore`
 * lines and a tsconfig.json. It never overwrites a file; run again, it
 * changes nothing and says so. Ends with the commands to run next.
 */
async function init(options: InitCommandOptions, io: CliIo): Promise<number> {
  const database = databaseOf(options.database);
  const plan = planInit(io.cwd, { app: options.app, database });
  // Every write is checked before the first: a directory it cannot write leaves no half-written project.
  if (options.dryRun !== true) checkWritable(io.cwd, plan);
  for (const warning of plan.warnings) writeWrapped(io.stderr, io.env, `! ${warning}`);
  const dryRun = options.dryRun === true;
  if (plan.writes.length === 0) {
    writeLine(
      io.stdout,
      wrapText(
        plan.manualSteps.length === 0
          ? `Nothing to do: this project is set up for cnf-admin (app ${plan.app}). No file was changed.`
          : `No file to write: this project is set up for cnf-admin (app ${plan.app}) but for the step below. No file was changed.`,
        terminalWidth(io),
      ),
    );
  } else {
    writeLine(io.stdout, dryRun ? `Would set up ${plan.app} (--dry-run: nothing is written):` : `Set up ${plan.app}:`);
  }
  writeReport(io, plan, dryRun);
  if (!dryRun) await applyPlan(io.cwd, plan);
  if (plan.manualSteps.length > 0) {
    writeLine(io.stdout, '');
    for (const line of plan.manualSteps) writeLine(io.stdout, line);
  }
  if (plan.ownCdkApp) {
    writeLine(io.stdout, '\nThis project has a CDK app of its own (cdk.json\'s "app"). Add the admin app to one of its stacks:\n');
    for (const line of cdkAppLines().split('\n')) writeLine(io.stdout, line === '' ? '' : `  ${line}`);
  }
  writeLine(io.stdout, '\nNext:');
  const task = plan.exampleTask;
  // Written the way cnf-admin was started (npx cnf-admin, or cnf-admin from a shell that has it on its PATH).
  const next = (command: string): void => writeLine(io.stdout, asInvoked(`  ${command}`, io.env));
  next(task === undefined ? 'cnf-admin tasks --stage local' : `cnf-admin invoke ${task} --stage local`);
  if (database !== undefined) next('cnf-admin invoke migrate --stage local');
  // Without the CDK CLI, npx cdk would fetch another package (cdk) from the registry, or stop at a question.
  if (!cdkCliInstalled(io.cwd, io.env)) writeLine(io.stdout, '  npm install -D aws-cdk   # the CDK CLI, which npx cdk runs');
  writeLine(io.stdout, '  npx cdk synth -c stage=prod');
  writeLine(io.stdout, '  npx cdk deploy -c stage=prod');
  return 0;
}

/**
 * Whether `npx cdk` finds the CDK CLI without installing anything: a `cdk`
 * in `node_modules/.bin` of the directory or one above it (as npm exec looks),
 * or on the PATH (a global install).
 */
function cdkCliInstalled(dir: string, env: NodeJS.ProcessEnv): boolean {
  const names = process.platform === 'win32' ? ['cdk.cmd', 'cdk.exe', 'cdk'] : ['cdk'];
  const binDirs: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    binDirs.push(join(at, 'node_modules', '.bin'));
    if (at === dirname(at)) break;
  }
  binDirs.push(...(env.PATH ?? '').split(delimiter).filter((entry) => entry !== ''));
  return binDirs.some((binDir) => names.some((name) => existsSync(join(binDir, name))));
}

/** What happened to a file, as the report says it. */
function statusOf(write: PlannedWrite, dryRun: boolean): string {
  const done = write.kind === 'create' ? 'created' : 'updated';
  return dryRun ? `would ${write.kind}` : done;
}

/**
 * Every file init looked at, one line each in aligned columns: what it did
 * (or would do) to it, or that it was already there, and what the file is.
 * The last column wraps between words at the terminal's width.
 */
function writeReport(io: CliIo, plan: InitPlan, dryRun: boolean): void {
  const style = stylerFor(io.stdout, io.env);
  const rows = [
    ...plan.writes.map((write) => ({ status: statusOf(write, dryRun), path: write.path, purpose: write.purpose, kept: false })),
    ...plan.kept.map((file) => ({ status: ALREADY_THERE, path: file.path, purpose: file.purpose, kept: true })),
  ];
  const statusWidth = Math.max(...rows.map((row) => row.status.length));
  const pathWidth = Math.max(...rows.map((row) => row.path.length));
  const indent = 2 + statusWidth + 2 + pathWidth + 2;
  const room = terminalWidth(io) - indent;
  for (const row of rows) {
    const purpose = room >= MIN_PURPOSE_WIDTH ? wrapText(row.purpose, room).split('\n') : [row.purpose];
    const first = `  ${row.status.padEnd(statusWidth)}  ${row.path.padEnd(pathWidth)}  `;
    // What init wrote stands out; what it found, and what each file is, is dim.
    purpose.forEach((part, index) => {
      const lead = index === 0 ? first : ' '.repeat(indent);
      writeLine(io.stdout, row.kept ? style('dim', lead + part) : lead + style('dim', part));
    });
  }
}

/** The report's word for a file init found and left as it is. */
const ALREADY_THERE = 'already there';

/** Narrower than this, the last column of the report goes on as one line instead of wrapping. */
const MIN_PURPOSE_WIDTH = 16;

/**
 * Checks that every write of the plan can be made: a file it updates is
 * writable, and a file it creates has a writable nearest directory.
 *
 * @throws PermissionError (77) naming the first path it cannot write.
 */
function checkWritable(dir: string, plan: InitPlan): void {
  for (const write of plan.writes) {
    let target = join(dir, write.path);
    if (write.kind === 'create')
      do target = dirname(target);
      while (!existsSync(target) && target !== dirname(target));
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      throw deniedError(target, 'write', (error as NodeJS.ErrnoException).code ?? 'EACCES', error);
    }
  }
}

/** Writes the plan: new files only if they are still missing (`wx`), then the files it adds to. */
async function applyPlan(dir: string, plan: InitPlan): Promise<void> {
  for (const write of plan.writes) {
    const file = join(dir, write.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, write.contents, { flag: write.kind === 'create' ? 'wx' : 'w' });
  }
}

export { init };
export type { InitCommandOptions };
