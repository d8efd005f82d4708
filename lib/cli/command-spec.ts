import type { CliOption, OptionsOf } from './option.js';
import type { CliIo } from './io.js';
import type { ProjectExamples } from './project-examples.js';

/** What a positional argument gives: its text; a list for `<name...>`/`[name...]`; maybe nothing for `[name]`. */
type ArgumentValue<Declared extends string> = Declared extends `${string}...${string}`
  ? readonly string[]
  : Declared extends `<${string}>`
    ? string
    : string | undefined;

/** The positional arguments of a command in commander's notation: `<task> [taskArgs...]` → `[string, readonly string[]]`. */
type ArgumentsOf<Declared extends string> = Declared extends `${infer First} ${infer Rest}`
  ? [ArgumentValue<First>, ...ArgumentsOf<Rest>]
  : Declared extends ''
    ? []
    : [ArgumentValue<Declared>];

/** One command of the CLI: its words, flags, help, and what runs it (loaded on use). */
interface CommandSpec {
  readonly name: string;
  /** Other words that name it (`config versions` for `config history`), as commander's aliases. */
  readonly aliases?: readonly string[];
  /** Positional arguments in commander's notation, e.g. `<task> [taskArgs...]`. */
  readonly arguments?: string;
  readonly summary: string;
  readonly options: readonly CliOption[];
  readonly examples: readonly string[];
  /** Examples with the project's own tasks and scripts, shown after the generic ones when help can read them. */
  readonly projectExamples?: (examples: ProjectExamples) => readonly string[];
  /**
   * For a command that hands the words after `--` on (a task's args, psql's
   * flags): what an unknown flag given before `--` is told, with the
   * command's first argument as typed (undefined when none was).
   */
  readonly afterDashes?: (argument: string | undefined) => string;
  /**
   * For a command that needs an argument: the command that lists what it
   * takes (`See the tasks with: cnf-admin tasks`), said when none was given;
   * the stage the command line names is added to it.
   */
  readonly whenMissing?: string;
  /** Runs the command with what commander parsed (its positional arguments and flags); resolves to the exit code. */
  readonly run?: (args: readonly unknown[], options: Readonly<Record<string, unknown>>, io: CliIo) => Promise<number>;
  readonly subcommands?: readonly CommandSpec[];
}

/** A command as the table declares it: `run` receives its arguments and options typed by their declarations. */
interface TypedCommandSpec<Arguments extends string, Options extends readonly CliOption[]> extends Omit<
  CommandSpec,
  'arguments' | 'options' | 'run'
> {
  readonly arguments?: Arguments;
  readonly options: Options;
  readonly run?: (args: ArgumentsOf<Arguments>, options: OptionsOf<Options>, io: CliIo) => Promise<number>;
}

/**
 * Declares a command whose `run` receives typed arguments and options,
 * inferred from its `arguments` and `options`: `--run-id` arrives as
 * `options.runId`, `--no-open` as `options.open`, `--port` as the number its
 * parser made, a flag with a default always.
 */
function defineCommand<const Arguments extends string = '', const Options extends readonly CliOption[] = readonly []>(
  spec: TypedCommandSpec<Arguments, Options>,
): CommandSpec {
  const { run, ...declared } = spec;
  if (run === undefined) return declared;
  return {
    ...declared,
    // commander builds these from the same declarations (program.ts registers them): this is where they get their types.
    run: (args, options, io) => run(args as ArgumentsOf<Arguments>, options as OptionsOf<Options>, io),
  };
}

/** Whether `word` names the command: its name, or one of its aliases. */
function isNamed(spec: CommandSpec, word: string | undefined): boolean {
  return word !== undefined && (spec.name === word || spec.aliases?.includes(word) === true);
}

export { defineCommand, isNamed };
export type { ArgumentsOf, CommandSpec };
