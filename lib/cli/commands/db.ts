import { TryAgainError, UsageError } from '../../core/errors.js';
import { withProgress } from '../../core/progress.js';
import { formatMoment } from '../../core/format-moment.js';
import { findProject, stageOf, type Project } from '../../core/project.js';
import type { EmbeddedDatabaseStatus, LocalDatabaseCapability } from '../../core/platform-capabilities.js';
import { openLocalDatabase } from '../../platform/open-local-database.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { progressFor } from '../progress.js';
import type { CommandOptions } from '../command-options.js';

/** What every `cnf-admin db` subcommand takes (`db psql` too): the stage. */
type DbCommandOptions = CommandOptions<'db psql'>;

/**
 * The embedded database of the stage a `db` command names.
 *
 * @throws UsageError (64) for an AWS stage, whose database is the app's own, or a local stage without one.
 */
function embeddedDatabaseOf(io: CliIo, options: DbCommandOptions): { project: Project; database: LocalDatabaseCapability } {
  const project = findProject(io.cwd);
  const stage = stageOf(project, options.stage);
  if (stage.platform !== 'local') {
    throw new UsageError(
      `cnf-admin db manages the local stage's embedded database; stage ${stage.name} is on AWS, where the database is the app's own.`,
      { hint: `Its URL is in the parameter set: cnf-admin config get ${project.databaseUrlVariable} --stage ${stage.name}` },
    );
  }
  if (stage.database === undefined) {
    throw new UsageError(`The local stage of ${project.app} has no embedded database.`, {
      hint: 'Give it one in cdk.json: "stages": { "local": { "database": "postgres" } } under context.cnf.',
    });
  }
  return { project, database: openLocalDatabase(project) };
}

/** `cnf-admin db status`: whether the embedded database runs, where, and how big it is. Starts nothing. */
async function dbStatus(options: CommandOptions<'db status'>, io: CliIo): Promise<number> {
  const { database } = embeddedDatabaseOf(io, options);
  const status = await database.status();
  if (options.json === true) writeJson(io, status);
  else writeLine(io.stdout, describeStatus(status));
  return 0;
}

function describeStatus(status: EmbeddedDatabaseStatus): string {
  const lines = [
    status.running
      ? `PostgreSQL ${status.version ?? ''}: running, watcher pid ${status.pid}, postgres pid ${status.postgresPid}, since ${status.startedAt === undefined ? '?' : formatMoment(status.startedAt)}`
      : status.orphanPostgresPid !== undefined
        ? `PostgreSQL${status.version === undefined ? '' : ` ${status.version}`}: not running as cnf-admin runs it: postgres pid ${status.orphanPostgresPid} holds its data without its watcher (cnf-admin db stop, or the next start, ends it)`
        : `PostgreSQL${status.version === undefined ? '' : ` ${status.version}`}: not running (the next run, serve, console, db start or db url starts it)`,
    `url:   ${status.url ?? '(no port chosen yet)'}`,
    `data:  ${status.dataDir} (${formatSize(status.sizeBytes)})`,
  ];
  return lines.join('\n');
}

function formatSize(bytes: number): string {
  if (bytes === 0) return 'empty';
  const units = ['bytes', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/**
 * `cnf-admin db url`: the embedded database's URL on stdout, starting the
 * database when it is not running, so that `psql "$(cnf-admin db url)"` works.
 */
async function dbUrl(options: CommandOptions<'db url'>, io: CliIo): Promise<number> {
  const { project, database } = embeddedDatabaseOf(io, options);
  const url = await database.url(progressFor(io, options));
  if (options.json === true) writeJson(io, { url, variable: project.databaseUrlVariable });
  else writeLine(io.stdout, url);
  return 0;
}

/**
 * `cnf-admin db start`: starts the embedded database now, when it is not
 * running (the progress lines say so when it starts), and says where it
 * serves; it keeps its URL in the parameter set, as every start does.
 */
async function dbStart(options: CommandOptions<'db start'>, io: CliIo): Promise<number> {
  const { database } = embeddedDatabaseOf(io, options);
  const url = await database.url(progressFor(io, options));
  if (options.json === true) writeJson(io, { url });
  else writeLine(io.stderr, `The embedded PostgreSQL serves at ${url}`);
  return 0;
}

/**
 * `cnf-admin db stop`: stops the embedded database now (any later use starts it again).
 *
 * @throws TryAgainError (75) while runs are in flight, unless `--force`.
 */
async function dbStop(options: CommandOptions<'db stop'>, io: CliIo): Promise<number> {
  const { database } = embeddedDatabaseOf(io, options);
  if (options.force !== true && (await database.status()).running) await refuseUnderRuns(io, options, 'Stopping');
  // A spinner on a terminal while PostgreSQL shuts down; off a terminal the line after it says how it went.
  const stopped = await withProgress(progressFor(io, options), 'Stopping the embedded PostgreSQL', () => database.stop(), {
    quiet: true,
  });
  if (options.json === true) writeJson(io, { stopped });
  else writeLine(io.stderr, stopped ? 'Stopped the embedded PostgreSQL.' : 'The embedded PostgreSQL was not running.');
  return 0;
}

/**
 * `cnf-admin db reset`: stops the embedded database and deletes its data,
 * after a confirmation: asked on a terminal, `--yes` otherwise.
 *
 * @throws UsageError (64) without `--yes` when stdin is not a terminal.
 * @throws TryAgainError (75) while runs are in flight, unless `--force`.
 */
async function dbReset(options: CommandOptions<'db reset'>, io: CliIo): Promise<number> {
  const { database } = embeddedDatabaseOf(io, options);
  // A reset that could not be confirmed is refused first (64): the runs in flight matter only to one that could go ahead.
  if (options.yes !== true && (io.stdin as { isTTY?: boolean }).isTTY !== true) {
    throw new UsageError('db reset deletes every table and row of the embedded database; confirm it with --yes.', {
      hint: 'Run it at a terminal to be asked, or add --yes.',
    });
  }
  if (options.force !== true) await refuseUnderRuns(io, options, 'Deleting');
  if (options.yes !== true) {
    const { askAtTerminal } = await import('../terminal-question.js');
    const answer = await askAtTerminal(
      io,
      `Delete all data of the embedded PostgreSQL in ${database.location}? [y/N] `,
      'Interrupted: nothing deleted.',
    );
    if (answer !== 'y' && answer !== 'yes') {
      writeLine(io.stderr, 'Nothing deleted.');
      return 0;
    }
  }
  const existed = await database.reset();
  if (options.json === true) writeJson(io, { deleted: existed });
  else
    writeLine(
      io.stderr,
      existed
        ? 'Deleted the embedded database: the next use starts an empty one (then run your migrations again).'
        : 'The embedded database had no data; nothing deleted.',
    );
  return 0;
}

/** Refuses to stop or delete the database under runs still in flight: they would fail halfway through. */
async function refuseUnderRuns(io: CliIo, options: DbCommandOptions, doing: 'Stopping' | 'Deleting'): Promise<void> {
  const { openStage } = await import('../stage-context.js');
  const { platform, stage } = await openStage(io, options);
  const inFlight = (await platform.runs({})).filter((run) => run.endedAt === undefined);
  if (inFlight.length === 0) return;
  const named = inFlight.map((run) => `${run.runId} (${run.task})`).join(', ');
  throw new TryAgainError(
    `Runs are in flight on stage ${stage.name}: ${named}. ${doing} the database under them would leave them half done; nothing ${doing === 'Stopping' ? 'stopped' : 'deleted'}.`,
    { hint: `Wait for them (cnf-admin runs), stop them (cnf-admin stop <runId>), or add --force.` },
  );
}

export { dbReset, dbStart, dbStatus, dbStop, dbUrl, embeddedDatabaseOf };
export type { DbCommandOptions };
