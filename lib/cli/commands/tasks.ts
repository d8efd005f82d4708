import { flagUsages } from '../../core/task-arg-flags.js';
import type { TaskInfo } from '../../core/task-catalog.js';
import { runtimeOf } from '../../core/task-runtime.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { formatSeconds } from '../render/format-duration.js';
import { writeNotice } from '../render/run-view.js';
import { formatTable, terminalWidth, wrapPieces, wrapText } from '../render/table.js';
import { openStage } from '../stage-context.js';
import type { CommandOptions } from '../command-options.js';
import { assertReleaseOption } from '../invoke-input.js';

/** The options of `cnf-admin tasks`, as its flags declare them. */
type TasksCommandOptions = CommandOptions<'tasks'>;

/**
 * The args of a task as flags, each kept whole on a line, with an enum's
 * values and a default: `--older-than-days <integer>`, `[--mode <fast|slow>, default "fast"]`, `[--dry-run]`.
 */
function argsUsage(task: TaskInfo): string[] {
  return flagUsages(task).map((flag) => {
    // A boolean flag defaults to off and a list to empty: saying so adds nothing.
    const usage =
      flag.default === undefined || flag.default === 'false' || flag.default === '[]'
        ? flag.usage
        : `${flag.usage}, default ${flag.default}`;
    return flag.required ? usage : `[${usage}]`;
  });
}

/** What else a task is, each piece kept whole on a line: `locked,`, `timeout 4h`. */
function taskOptions(task: TaskInfo): string[] {
  const pieces = [
    ...(task.lock ? ['locked'] : []),
    ...(task.timeoutSeconds === undefined ? [] : [`timeout ${formatSeconds(task.timeoutSeconds)}`]),
  ];
  return pieces.map((piece, index) => (index < pieces.length - 1 ? `${piece},` : piece));
}

/** Below this many columns a table's columns turn to slivers: each task is a block of its own instead. */
const BLOCKS_BELOW = 80;

/** One task or script as a block lists it: its name line, then what it does and its args. */
interface TaskBlock {
  readonly name: string;
  /** What follows the name on its line: `locked, timeout 1s`, `container`. */
  readonly facts: readonly string[];
  readonly description: string;
  readonly args: readonly string[];
}

/**
 * Tasks as blocks, for a narrow terminal: the name (and what else the task
 * is) on a line, then its description and its args indented under it,
 * wrapped to the width, each flag's usage kept whole; a blank line between
 * tasks.
 */
function taskBlocks(blocks: readonly TaskBlock[], width: number): string {
  const indent = '  ';
  const room = Math.max(1, width - indent.length);
  return blocks
    .map((block) =>
      [
        // The name whole, then what else the task is, wrapped under it where the line would not fit.
        ...wrapPieces([block.name, ...block.facts.map((fact) => `· ${fact}`)], width),
        ...wrapText(block.description, room)
          .split('\n')
          .map((line) => indent + line),
        ...(block.args.length === 0 ? ['no args'] : wrapPieces(block.args, room)).map((line) => indent + line),
      ].join('\n'),
    )
    .join('\n\n');
}

/** A task or script as a block lists it; what else it is (locked, its timeout, a container's runtime) beside its name. */
function taskBlock(task: TaskInfo): TaskBlock {
  const options = taskOptions(task).join(' ');
  const facts = [...(options === '' ? [] : [options]), ...(runtimeOf(task) === 'lambda' ? [] : [runtimeOf(task)])];
  return { name: task.name, facts, description: task.description, args: argsUsage(task) };
}

/** The tasks as a table: name, description, args, options and (where one runs in a container, or there is room) runtime. */
function tasksTable(tasks: readonly TaskInfo[], width: number): string {
  const rows = tasks.map((task) => {
    const args = argsUsage(task);
    const more = taskOptions(task);
    return [task.name, task.description, args.length === 0 ? '-' : args, more.length === 0 ? '-' : more, runtimeOf(task)];
  });
  const columns = [
    { header: 'TASK' },
    { header: 'DESCRIPTION', fit: 'wrap', minWidth: 24 },
    { header: 'ARGS', fit: 'wrap' },
    { header: 'OPTIONS', fit: 'wrap' },
    // Where every task runs on Lambda, the column may give way to a narrow terminal; where one runs in a container, it stays.
    { header: 'RUNTIME', optional: tasks.every((task) => runtimeOf(task) === 'lambda') },
  ] as const;
  return formatTable(columns, rows, { width });
}

/** The scripts as a table: path, description and args. */
function scriptsTable(scripts: readonly TaskInfo[], width: number): string {
  const rows = scripts.map((script) => {
    const args = argsUsage(script);
    return [script.name, script.description, args.length === 0 ? '-' : args];
  });
  const columns = [
    { header: 'SCRIPT (cnf-admin run)' },
    { header: 'DESCRIPTION', fit: 'wrap', minWidth: 16 },
    { header: 'ARGS', fit: 'wrap' },
  ] as const;
  return formatTable(columns, rows, { width });
}

/**
 * `cnf-admin tasks`: the tasks of the live release (or of `--release`), with
 * their args, then the one-time scripts it carries (what `cnf-admin run`
 * takes): a table, or below 80 columns a block per task; `--json` prints
 * the catalog with each one's args as JSON Schema.
 */
async function tasks(options: TasksCommandOptions, io: CliIo): Promise<number> {
  if (options.release !== undefined) assertReleaseOption(options.release);
  const { platform } = await openStage(io, options);
  const plan = await platform.resolve({
    ...(options.alias === undefined ? {} : { alias: options.alias }),
    ...(options.release === undefined ? {} : { release: options.release }),
  });
  plan.notices.forEach((notice) => writeNotice(io, notice));
  const catalog = await platform.catalog(plan);
  if (options.json === true) {
    writeJson(io, { stage: plan.stage, release: plan.release, tasks: catalog.tasks, scripts: catalog.scripts ?? [] });
    return 0;
  }
  writeLine(io.stderr, `Tasks of release ${plan.release} on stage ${plan.stage}:`);
  const width = terminalWidth(io);
  const blocks = width < BLOCKS_BELOW;
  writeLine(io.stdout, blocks ? taskBlocks(catalog.tasks.map(taskBlock), width) : tasksTable(catalog.tasks, width));
  // A catalog may list no scripts at all (a test's, or a hand-made one).
  const scripts = catalog.scripts ?? [];
  if (scripts.length > 0) {
    // The one-time scripts the release carries: what `cnf-admin run` takes.
    writeLine(io.stdout);
    if (blocks) writeLine(io.stdout, 'Scripts (cnf-admin run):');
    // A script's block names no options, as its table has no column for them.
    const scriptBlocks = (): string =>
      taskBlocks(
        scripts.map((script) => ({ ...taskBlock(script), facts: [] })),
        width,
      );
    writeLine(io.stdout, blocks ? scriptBlocks() : scriptsTable(scripts, width));
  }
  return 0;
}

export { tasks };
export type { TasksCommandOptions };
