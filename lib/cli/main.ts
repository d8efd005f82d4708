import { CommanderError } from 'commander';
import { ERROR_PREFIX, isCnfError, UsageError } from '../core/errors.js';
import { localizedMoments } from '../core/format-moment.js';
import { optionWords } from '../core/option-words.js';
import { ExitCode } from '../core/exit-codes.js';
import { fileSystemFault } from '../core/file-system-fault.js';
import { stylerFor, writeLine, writeWrapped, type CliIo } from './io.js';
import { invocationOf } from '../core/invocation-name.js';
import { asInvoked } from './invocation.js';
import { flagWordsOf, valuePlaceholderOf, withoutInvalidPreamble } from './option.js';
import { buildProgram, COMMANDS, subcommandsLine } from './program.js';
import { COMMAND_OPTIONS } from './command-options.js';
import { flagBeforeCommand } from './flag-before-command.js';
import { isNamed } from './command-spec.js';
import { argsAfterDashes } from './args-after-dashes.js';
import { missingArgumentHint } from './missing-argument.js';
import { releaseArgumentHint } from './release-argument.js';
import { terminalWidth } from './render/table.js';
import { readCnfEnvironment } from '../core/cnf-environment.js';
import { deferCaCertificates } from '../core/deferred-ca-certificates.js';

/**
 * The process's own streams, directory and environment. A reader that goes
 * away (`cnf-admin runs | head`) is no error: output stops, the command
 * finishes (a run goes on to its end) and exits with its own code.
 */
function processIo(): CliIo {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // Node makes stdin's stream when it is first read: most commands never read it.
    get stdin() {
      return process.stdin;
    },
    cwd: process.cwd(),
    env: process.env,
  };
}

/*
 * Node 20 is past its end of life, and current AWS SDK releases warn about
 * it on every client. The README recommends Node 22; the CLI's users should
 * not see the SDK's notice on every command.
 */
function silenceSdkNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** Whether the command line asks for help (before any `--`, after which words are a task's args). */
function asksForHelp(argv: readonly string[]): boolean {
  const words = optionWords(argv);
  return words.includes('--help') || words.includes('-h') || words[0] === 'help';
}

/**
 * The CLI: parses `argv` (without `node` and the script), runs the command,
 * and resolves to the exit code. Only here do errors become output: a user's
 * mistake prints one line and what to do next, never a stack trace.
 *
 * @example
 * process.exitCode = await cli(['invoke', 'migrate', '--stage', 'local']);
 */
async function cli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  silenceSdkNodeVersionWarning();
  let exitCode: number = ExitCode.OK;
  // Help reads the project's own tasks for its examples; nothing else pays for that read.
  const project = asksForHelp(argv) ? await (await import('./project-examples.js')).projectExamples(io.cwd) : undefined;
  const help = showsHelp(argv);
  // A command line that names a command builds the parser of that command alone: building all twenty took some
  // milliseconds of every start. Help, and a first word that is no command, get them all.
  const named = help ? undefined : COMMANDS.find((spec) => isNamed(spec, argv[0]));
  const program = buildProgram(
    help ? helpIo(io) : io,
    (code) => {
      exitCode = code;
    },
    project,
    named,
  );
  try {
    // `help nosuch`: commander shows the general help; the user also learns that there is no such command.
    if (unknownHelpTopic(argv) !== undefined)
      writeLine(
        io.stderr,
        `${stylerFor(io.stderr, io.env)('red', ERROR_PREFIX)} ${(await secretMasker(io))(unknownCommand(argv))}; the commands are below.`,
      );
    if (stageGluedToValue(argv)) throw new UsageError(dashValueMessage(argv));
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    // commander has printed help, or the version: nothing went wrong, and nothing is read for it.
    if (error instanceof CommanderError && error.exitCode === 0) return ExitCode.OK;
    return reportError(fileSystemFault(error), argv, io, await secretMasker(io));
  }
}

/** The command `help <topic>` names when it names none there is. */
function unknownHelpTopic(argv: readonly string[]): string | undefined {
  return argv[0] === 'help' && argv[1] !== undefined && !COMMANDS.some((spec) => isNamed(spec, argv[1])) ? argv[1] : undefined;
}

function unknownCommand(argv: readonly string[]): string {
  return `unknown command '${unknownHelpTopic(argv) ?? ''}'`;
}

/** A secret typed where a key, a stage or a run id was expected is not printed back (local: the CLI can read the values). */
async function secretMasker(io: CliIo): Promise<(text: string) => string> {
  const { localSecretMasker } = await import('./local-secret-masker.js');
  return localSecretMasker(io.cwd);
}

/**
 * Whether the command line only shows help, and runs nothing: it asks for
 * help, names no command, or names a group of commands (`config`) and none of them.
 */
function showsHelp(argv: readonly string[]): boolean {
  if (asksForHelp(argv) || argv.length === 0) return true;
  const group = COMMANDS.find((spec) => isNamed(spec, argv[0]));
  return argv.length === 1 && group?.subcommands !== undefined && group.run === undefined;
}

/**
 * Where help writes (stdout, or stderr when help stands for a missing command): the same streams, with the commands in its usage line
 * and examples written as the user runs cnf-admin (`$ npx cnf-admin invoke
 * <task>` under npx), laid out that much narrower so that every line still
 * fits the terminal. Only help: a command's own output is never rewritten.
 */
function helpIo(io: CliIo): CliIo {
  const invocation = invocationOf(io.env);
  const direct = invocationOf({});
  if (invocation === direct) return io;
  const width = String(terminalWidth(io) - (invocation.length - direct.length));
  const rewritten = (stream: CliIo['stdout']): CliIo['stdout'] =>
    Object.assign(Object.create(stream) as CliIo['stdout'], { write: (text: string) => stream.write(asInvoked(text, io.env)) });
  return { ...io, stdout: rewritten(io.stdout), stderr: rewritten(io.stderr), env: { ...io.env, COLUMNS: width } };
}

/** Reports what a command threw, in one line and a hint for a user's mistake, with `redact` applied to every text of it. */
function reportError(error: unknown, argv: readonly string[], io: CliIo, redact: (text: string) => string): number {
  const style = stylerFor(io.stderr, io.env);
  if (error instanceof CommanderError) {
    // A group named without its command (`cnf-admin config`), or `help <unknown>`: commander has shown the help, which says it all.
    if (error.code === 'commander.help') {
      if (unknownHelpTopic(argv) !== undefined) writeJsonError(io, argv, 'UsageError', redact(unknownCommand(argv)), ExitCode.USAGE);
      return ExitCode.USAGE;
    }
    const message = redact(usageMessage(error, argv));
    writeLine(io.stderr, `${style('red', ERROR_PREFIX)} ${asInvoked(message, io.env)}`);
    writeLine(io.stderr, '(add --help for usage)');
    const flagFirst = error.code === 'commander.unknownOption' ? flagBeforeCommand(argv) : undefined;
    if (flagFirst !== undefined) writeLine(io.stderr, style('dim', redact(asInvoked(flagFirst, io.env))));
    // `config versions`: a group's command it does not have; its commands say which it has.
    const group = error.code === 'commander.unknownCommand' ? COMMANDS.find((spec) => isNamed(spec, argv[0])) : undefined;
    if (group?.subcommands !== undefined)
      writeWrapped(io.stderr, io.env, asInvoked(subcommandsLine(group), io.env), (line) => style('dim', line));
    const missing = error.code === 'commander.missingArgument' ? missingArgumentHint(argv) : undefined;
    if (missing !== undefined) writeLine(io.stderr, style('dim', redact(asInvoked(missing, io.env))));
    // `rollback r-…`: the release, given where the command takes it through a flag.
    const release = error.code === 'commander.excessArguments' ? releaseArgumentHint(argv) : undefined;
    if (release !== undefined) writeLine(io.stderr, style('dim', redact(asInvoked(release, io.env))));
    // A misspelt flag of cnf-admin's own (--dryrun) has its did-you-mean; it is no task arg.
    const afterDashes = error.code === 'commander.unknownOption' && !misspeltFlag(error) ? argsAfterDashes(argv) : undefined;
    // The user's own task, from their command line: the tool names no task of its own.
    if (afterDashes !== undefined) writeLine(io.stderr, style('dim', redact(asInvoked(afterDashes, io.env))));
    writeJsonError(io, argv, 'UsageError', message, ExitCode.USAGE);
    return ExitCode.USAGE;
  }
  if (isCnfError(error)) {
    writeWrapped(io.stderr, io.env, `${ERROR_PREFIX} ${asInvoked(localizedMoments(redact(error.message)), io.env)}`, (line) =>
      line.replace(ERROR_PREFIX, style('red', ERROR_PREFIX)),
    );
    if (error.hint !== undefined) writeWrapped(io.stderr, io.env, asInvoked(redact(error.hint), io.env), (line) => style('dim', line));
    if (error.fault === 'tool' || readCnfEnvironment(io.env).debug === true)
      writeLine(io.stderr, style('dim', redact(String(error.stack))));
    writeJsonError(io, argv, error.name, redact(error.message), error.exitCode);
    return error.exitCode;
  }
  const unexpected = error instanceof Error ? error : new Error(String(error));
  writeLine(io.stderr, `${style('red', ERROR_PREFIX)} failed unexpectedly: ${redact(unexpected.message)}`);
  writeLine(io.stderr, style('dim', redact(String(unexpected.stack))));
  writeLine(io.stderr, 'This is a bug in cnf-admin; please report it with the lines above.');
  writeJsonError(io, argv, unexpected.name, redact(unexpected.message), ExitCode.SOFTWARE);
  return ExitCode.SOFTWARE;
}

/** Whether commander took an unknown option for a misspelling of one of cnf-admin's own flags (its "Did you mean"). */
function misspeltFlag(error: CommanderError): boolean {
  return error.message.includes('Did you mean');
}

/**
 * What a command line that commander could not parse gets told. In `config
 * set` an unknown option is more likely a value that starts with `-`, maybe a
 * new secret no mask knows yet: it is not printed back.
 */
function usageMessage(error: CommanderError, argv: readonly string[]): string {
  if (error.code === 'commander.unknownOption' && argv[0] === 'config' && argv[1] === 'set' && !misspeltFlag(error))
    return dashValueMessage(argv);
  const message = withoutInvalidPreamble(error.message).replace(/^error: /, '');
  // commander quotes an unknown `--flag=value` whole: the value may be a secret (`--reason=…` before the command).
  return error.code === 'commander.unknownOption' ? message.replace(/'(-{1,2}[\w-]+)=[^']*'/, "'$1=<value>'") : message;
}

function dashValueMessage(argv: readonly string[]): string {
  // --secure only where it was given: a plain value set with it would become a secret.
  const secure = optionWords(argv).includes('--secure') ? ' --secure' : '';
  return `config set was given an unknown option, or a value that starts with "-" (not shown: it may be a secret). Such a value goes after --, e.g. cnf-admin config set ${keyGiven(argv) ?? 'KEY'}${secure} -- <value>`;
}

/* The flags of `config set` that take a word after them (`--stage NAME`), each with its short form. */
const VALUE_FLAGS = new Set(
  COMMAND_OPTIONS['config set'].filter((option) => valuePlaceholderOf(option)?.startsWith('<') === true).flatMap(flagWordsOf),
);

/** The key a `config set` command line names: its first word that is neither a flag nor a flag's value. */
function keyGiven(argv: readonly string[]): string | undefined {
  const words = optionWords(argv).slice(2);
  return words.find((word, index) => !word.startsWith('-') && !VALUE_FLAGS.has(words[index - 1] ?? ''));
}

/**
 * Whether `config set` was given a word such as `-sX…` before `--`:
 * commander would read it as `--stage X…` and name the stage it does not
 * know, which is the tail of a new secret that starts with `-s`, where no
 * mask finds it. A stage is named `-s NAME` or `--stage NAME`.
 */
function stageGluedToValue(argv: readonly string[]): boolean {
  if (argv[0] !== 'config' || argv[1] !== 'set') return false;
  return optionWords(argv)
    .slice(2)
    .some((word) => /^-s./.test(word));
}

/** With `--json`, an error is the one JSON document on stdout too, so scripts can read it. */
function writeJsonError(io: CliIo, argv: readonly string[], name: string, message: string, exitCode: number): void {
  if (optionWords(argv).includes('--json')) io.stdout.write(`${JSON.stringify({ error: { name, message }, exitCode }, null, 2)}\n`);
}

// The launcher (bin/cnf-admin.cjs) says which certificates Node started without, before it runs the command.
export { cli, deferCaCertificates };
