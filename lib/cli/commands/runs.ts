import { largest } from '../../core/largest.js';
import { configVersionLabel } from '../../core/config-version.js';
import { didYouMean } from '../../core/did-you-mean.js';
import { relative, sep } from 'node:path';
import { UnavailableError, UsageError } from '../../core/errors.js';
import { isUnreadableLog } from '../../core/unreadable-log.js';
import type { RunRecord } from '../../core/run.js';
import { exitLabel, interruptReachedAt } from '../../core/run-status.js';
import { CONSOLE_TASK } from '../../core/task-catalog.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { resolveRunId } from '../run-id-reference.js';
import { runLogFrames } from '../run-log-frames.js';
import { formatDuration } from '../render/format-duration.js';
import { formatMoment } from '../../core/format-moment.js';
import { renderFrames, writeNotice } from '../render/run-view.js';
import { formatTable, leftOutColumns, terminalWidth, wrapText } from '../render/table.js';
import { visibleControls } from '../../core/visible-controls.js';
import { openStage } from '../stage-context.js';
import type { CommandOptions } from '../command-options.js';
import { assertSecretsReadable, maskTypedSecrets } from '../secret-mask.js';

/** The options of `cnf-admin runs`, as its flags declare them. */
type RunsCommandOptions = CommandOptions<'runs'>;

/** A run's args in one short line, as flags read: `olderThanDays=30 dryRun=true`; `-` for none. */
function argsLabel(args: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(args ?? {});
  if (entries.length === 0) return '-';
  return entries.map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(' ');
}

/** A caller as a person names it: `alice@laptop`, or the role and session of an IAM ARN (`Admin/alice`). */
function shortCaller(caller: string): string {
  const arn = /^arn:[^:]+:(?:sts|iam)::\d*:(?:assumed-role|user|role)\/(.+)$/.exec(caller);
  return arn?.[1] ?? caller;
}

/* A task's name, and who ran it, stay whole up to this many characters, however narrow the terminal. */
const KEPT_WHOLE = 16;

/* Below this width, STARTED leaves out a year every run shares: the room goes to TASK and ARGS. */
const WIDTH_FOR_YEARS = 100;

/** How STARTED shows a moment: as everywhere (`2026-11-24 14:39:27`), or at a narrow terminal, when every run is of this year, without it. */
function startedLabel(records: readonly RunRecord[], width: number): (iso: string) => string {
  const year = String(new Date().getFullYear());
  const yearless = width < WIDTH_FOR_YEARS && records.every((record) => formatMoment(record.startedAt).startsWith(`${year}-`));
  return yearless ? (iso) => formatMoment(iso).slice(year.length + 1) : formatMoment;
}

/**
 * `cnf-admin runs`: the run ledger, newest first: run id, task, args, exit
 * code (`0 stopped` for a run an interrupt reached, `130 lost` for one whose
 * processes died first), duration, start time
 * (this machine's time zone), release, source and who ran it, fitted to the
 * terminal (the source, then the release, give way first).
 *
 * Every console input is a run of `cnf:console`, so one console session
 * would push every real run off the list: they are left out unless `--all`
 * (or `--task cnf:console`) asks for them, in the table and in `--json`
 * alike, and a line on stderr says so when the ledger holds any.
 */
async function runs(options: RunsCommandOptions, io: CliIo): Promise<number> {
  const { limit } = options;
  const { platform, stage } = await openStage(io, options);
  await assertSecretsReadable(platform);
  const withConsole = options.all === true || options.task !== undefined;
  const records = await platform.runs({
    ...(options.task === undefined ? {} : { task: options.task }),
    ...(withConsole ? {} : { excludeTasks: [CONSOLE_TASK] }),
    limit,
  });
  // Said only of the whole list: one task's runs (--task) leave nothing of it out.
  if (!withConsole && options.task === undefined && (await platform.runs({ task: CONSOLE_TASK, limit: 1 })).length > 0)
    writeLine(io.stderr, `Console evaluations (${CONSOLE_TASK}) are left out; list them with --all.`);
  if (options.json === true) {
    writeJson(io, records);
    return 0;
  }
  if (records.length === 0) {
    const close =
      options.task === undefined
        ? ''
        : didYouMean(
            options.task,
            (await platform.runs({ limit: 200 })).map((record) => record.task),
          );
    // A name that matched nothing may be a secret typed in the wrong place: masked, as invoke masks an unknown task.
    const task = options.task === undefined ? undefined : await maskTypedSecrets(platform, options.task);
    writeLine(io.stderr, `No runs on stage ${stage.name}${task === undefined ? '' : ` for task ${task}`} yet.${close}`);
    return 0;
  }
  const width = terminalWidth(io);
  const started = startedLabel(records, width);
  const rows = records.map((record) => [
    record.runId,
    record.task,
    argsLabel(record.args),
    exitLabel(record),
    record.durationMs === undefined ? '-' : formatDuration(record.durationMs),
    started(record.startedAt),
    record.release,
    record.configVersion === undefined ? '-' : configVersionLabel(record.configVersion),
    record.source,
    shortCaller(record.caller),
  ]);
  const columns = [
    // A run id stays whole, however narrow the terminal: it is what the next command takes.
    { header: 'RUN ID', minWidth: largest(records.map((record) => record.runId.length)) },
    // A task's name is typed in the next command too: whole up to 16 characters.
    {
      header: 'TASK',
      fit: 'cut',
      minWidth: Math.min(
        KEPT_WHOLE,
        largest(
          records.map((record) => record.task.length),
          8,
        ),
      ),
    },
    // A dry-run purge and a real one differ only here.
    { header: 'ARGS', fit: 'cut', minWidth: 8 },
    { header: 'EXIT' },
    { header: 'TOOK', optional: true },
    { header: 'STARTED' },
    // A run's release and the config version it read: what the run ran against. Narrower, the source, the
    // config, then the release give way (the rightmost first): `runs show` and --json have them.
    { header: 'RELEASE', optional: true },
    { header: 'CONFIG', optional: true },
    { header: 'SOURCE', optional: true },
    // Who ran it is what a ledger is for: whole up to 16 characters too (the columns above give way first).
    {
      header: 'BY',
      fit: 'cut',
      minWidth: Math.min(
        KEPT_WHOLE,
        largest(
          records.map((record) => shortCaller(record.caller).length),
          6,
        ),
      ),
    },
  ] as const;
  writeLine(io.stdout, formatTable(columns, rows, { width }));
  const leftOut = leftOutColumns(columns, rows, width);
  if (leftOut.length > 0)
    writeLine(
      io.stderr,
      wrapText(`No room for ${leftOut.join(', ')} at ${width} columns: a wider terminal shows them, as do runs show and --json.`, width),
    );
  return 0;
}

/** Where a run's log is: a local log lives in the project, and its path from there is short. */
function shortLog(log: string | undefined, root: string): string {
  if (log === undefined) return '-';
  return log.startsWith(`${root}${sep}`) ? relative(root, log) : log;
}

/** `cnf-admin runs show <runId>`: one run's record, then its log. */
async function runsShow(typed: string, options: CommandOptions<'runs show'>, io: CliIo): Promise<number> {
  const { platform, stage, project } = await openStage(io, options);
  await assertSecretsReadable(platform);
  const runId = await resolveRunId(platform, typed, stage.name);
  const record = await platform.run(runId);
  if (record === undefined) {
    throw new UsageError(`No run ${JSON.stringify(runId)} on stage ${stage.name}.`, {
      hint: `List the runs with: cnf-admin runs --stage ${stage.name}`,
    });
  }
  if (options.json === true) {
    writeJson(io, record);
    return 0;
  }
  const fields: [string, string][] = [
    ['run', record.runId],
    ['task', record.task],
    ['args', JSON.stringify(record.args)],
    ['release', record.release],
    ['source', record.source],
    ['caller', record.caller],
    ['started', formatMoment(record.startedAt)],
    ['ended', record.endedAt === undefined ? '(in progress)' : formatMoment(record.endedAt)],
    ['exit', exitLabel(record)],
    ['duration', record.durationMs === undefined ? '-' : formatDuration(record.durationMs)],
    ['config', describeRunConfig(record)],
    ['error', record.error === undefined ? '-' : `${record.error.name}: ${record.error.message}`],
    ...stopField(interruptReachedAt(record)),
    ...containerField(record.containerStartedAt),
    ...(record.result === undefined ? [] : [['result', JSON.stringify(record.result)] as [string, string]]),
    ['log', shortLog(record.log as string | undefined, project.root)],
  ];
  const width = terminalWidth(io) - 9;
  // Long values (args, an ARN) wrap under their column, a word wider than it whole on a line of its own (never cut: it is copied).
  const shown = fields.map(
    ([name, value]) =>
      // A record read from elsewhere may lack a field.
      `${name.padEnd(9)}${wrapText(visibleControls((value as string | undefined) ?? '-'), width, true)
        .split('\n')
        .join(`\n${' '.repeat(9)}`)}`,
  );
  writeLine(io.stdout, shown.join('\n'));
  writeLine(io.stdout);
  try {
    await renderFrames(io, runLogFrames(platform, stage.name, runId, {}, true));
  } catch (error) {
    // The record stands on its own: a log that expired, has not arrived yet or is gone is worth a line, not a failure. A
    // log that could not be read (throttled or failing: 75, denied: 77, unreachable: 69) is no empty log: its error ends it.
    if (isUnreadableLog(error) || !(error instanceof UsageError || error instanceof UnavailableError)) throw error;
    writeNotice(io, `No log to show: ${error.message}`);
  }
  return 0;
}

/** The `stop` line of `runs show`: when an interrupt reached the run, where one did. */
function stopField(at: string | undefined): [string, string][] {
  return at === undefined ? [] : [['stop', `interrupted at ${formatMoment(at)}`]];
}

/** The `in task` line of `runs show`: when the container task ECS started took the run over, where one did. */
function containerField(at: string | undefined): [string, string][] {
  return at === undefined ? [] : [['in task', `since ${formatMoment(at)} (the task ECS started took it over)`]];
}

/** A run's config: its version and fingerprint, `v7 (cfg-…)`, as far as the record knows them. */
function describeRunConfig(record: RunRecord): string {
  const version = record.configVersion === undefined ? undefined : configVersionLabel(record.configVersion);
  if (version === undefined) return record.configFingerprint ?? '-';
  return record.configFingerprint === undefined ? version : `${version} (${record.configFingerprint})`;
}

export { runs, runsShow };
export type { RunsCommandOptions };
