import { Command } from 'commander';
import { closestNames } from '../core/did-you-mean.js';
import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { toolVersion } from '../core/tool-root.js';
import { defineCommand, type CommandSpec } from './command-spec.js';
import { COMMAND_OPTIONS } from './command-options.js';
import type { CliIo } from './io.js';
import { commanderOption, optionHelp } from './option.js';
import type { ProjectExamples } from './project-examples.js';
import { terminalWidth, wrapText } from './render/table.js';

/** Every command of cnf-admin, declared in one place. */
const COMMANDS: readonly CommandSpec[] = [
  defineCommand({
    name: 'invoke',
    arguments: '<task> [taskArgs...]',
    summary: 'run a task against the live release and exit with its exit code',
    options: COMMAND_OPTIONS.invoke,
    examples: [
      'cnf-admin invoke <task>',
      'cnf-admin invoke <task> -- --<arg> <value> --<flag>',
      `cnf-admin invoke <task> --args '{"<arg>": 30}' --json`,
      'cnf-admin invoke <task> --stage prod --dry-run',
      'cnf-admin tasks (the tasks of the live release, with their args)',
    ],
    projectExamples: (examples) => examples.invoke,
    afterDashes: (task) => `Task args go after --, e.g. cnf-admin invoke ${task ?? '<task>'} -- --<arg> <value>`,
    whenMissing: 'See the tasks with: cnf-admin tasks',
    run: async ([task, taskArgs], options, io) => {
      const invocation = { ...options, task, taskArgs };
      // The run's process loads the release while the rest of the command loads (prepare-invoke.ts).
      await (await import('./prepare-invoke.js')).prepareInvoke(invocation, io);
      return (await import('./commands/invoke.js')).invoke(invocation, io);
    },
  }),
  defineCommand({
    name: 'run',
    arguments: '<script> [scriptArgs...]',
    summary: 'run a one-time script of the live release (a .ts file under scripts/)',
    options: COMMAND_OPTIONS.run,
    examples: ['cnf-admin run scripts/<file>.ts -- --dry-run', 'cnf-admin run scripts/<file>.ts --stage prod'],
    projectExamples: (examples) => examples.run,
    afterDashes: (script) => `Script args go after --, e.g. cnf-admin run ${script ?? 'scripts/<file>.ts'} -- --<arg> <value>`,
    whenMissing: 'See the scripts (the files under scripts/) with: cnf-admin tasks',
    run: async ([path, scriptArgs], options, io) =>
      (await import('./commands/run.js')).runScript({ ...options, path, taskArgs: scriptArgs }, io),
  }),
  defineCommand({
    name: 'console',
    summary: 'a REPL evaluated inside the live release, with its config, database and modules',
    options: COMMAND_OPTIONS.console,
    examples: [
      'cnf-admin console',
      "cnf-admin console -e 'config.LOG_LEVEL'",
      "echo 'const started = Date.now(); started' | cnf-admin console",
    ],
    run: async (_args, options, io) => (await import('./commands/console.js')).consoleCommand(options, io),
  }),
  defineCommand({
    name: 'tasks',
    summary: "list the live release's tasks and their args",
    options: COMMAND_OPTIONS.tasks,
    examples: ['cnf-admin tasks', 'cnf-admin tasks --json'],
    run: async (_args, options, io) => (await import('./commands/tasks.js')).tasks(options, io),
  }),
  defineCommand({
    name: 'deploy',
    summary: 'build the working tree into a release and move the local alias pair to it',
    options: COMMAND_OPTIONS.deploy,
    examples: ['cnf-admin deploy --stage local'],
    run: async (_args, options, io) => (await import('./commands/deploy.js')).deploy(options, io),
  }),
  defineCommand({
    name: 'serve',
    summary: "serve the live release's web handler on localhost",
    options: COMMAND_OPTIONS.serve,
    examples: ['cnf-admin serve', 'cnf-admin serve --port 8080'],
    run: async (_args, options, io) => (await import('./commands/serve.js')).serve(options, io),
  }),
  defineCommand({
    name: 'config',
    summary: "read and change the stage's parameter set",
    options: COMMAND_OPTIONS.config,
    examples: ['cnf-admin config list', 'cnf-admin config set FEATURE_X on', 'echo "$SECRET" | cnf-admin config set API_TOKEN - --secure'],
    subcommands: [
      defineCommand({
        name: 'list',
        summary: 'every parameter, secrets masked',
        options: COMMAND_OPTIONS['config list'],
        examples: ['cnf-admin config list --stage local'],
        run: async (_args, options, io) => (await import('./commands/config.js')).configList(options, io),
      }),
      defineCommand({
        name: 'get',
        arguments: '<key>',
        summary: "one parameter's value (a secret's is never printed)",
        options: COMMAND_OPTIONS['config get'],
        examples: ['cnf-admin config get DATABASE_URL'],
        whenMissing: 'See the keys with: cnf-admin config list',
        run: async ([key], options, io) => (await import('./commands/config.js')).configGet(key, options, io),
      }),
      defineCommand({
        name: 'set',
        arguments: '<key> [value]',
        summary: 'set a parameter; a value of - is read from stdin, none is asked for (hidden with --secure)',
        options: COMMAND_OPTIONS['config set'],
        examples: [
          'cnf-admin config set LOG_LEVEL debug',
          'cnf-admin config set API_TOKEN --secure',
          'cnf-admin config set TLS_KEY - --secure < key.pem',
        ],
        run: async ([key, value], options, io) => (await import('./commands/config.js')).configSet(key, value, options, io),
      }),
      defineCommand({
        name: 'unset',
        arguments: '<key>',
        summary: 'remove a parameter',
        options: COMMAND_OPTIONS['config unset'],
        examples: ['cnf-admin config unset LOG_LEVEL'],
        whenMissing: 'See the keys with: cnf-admin config list',
        run: async ([key], options, io) => (await import('./commands/config.js')).configUnset(key, options, io),
      }),
      defineCommand({
        name: 'history',
        // The versions are what docs/config-versions.md is about: the word a reader types.
        aliases: ['versions'],
        arguments: '[key]',
        summary: 'the config versions, newest first (with KEY: those that changed it); config versions says the same',
        options: COMMAND_OPTIONS['config history'],
        examples: ['cnf-admin config history', 'cnf-admin config history LOG_LEVEL'],
        run: async ([key], options, io) => (await import('./commands/config-versions.js')).configHistory(key, options, io),
      }),
      defineCommand({
        name: 'diff',
        arguments: '<from> <to>',
        summary: 'what changed between two config versions, secrets masked',
        options: COMMAND_OPTIONS['config diff'],
        examples: ['cnf-admin config diff v6 v7'],
        whenMissing: 'See the versions with: cnf-admin config history',
        run: async ([from, to], options, io) => (await import('./commands/config-versions.js')).configDiff(from, to, options, io),
      }),
      defineCommand({
        name: 'rollback',
        arguments: '<version>',
        summary: 'make a new config version equal to an older one, live at once',
        options: COMMAND_OPTIONS['config rollback'],
        examples: ['cnf-admin config rollback v6'],
        whenMissing: 'See the versions with: cnf-admin config history',
        run: async ([version], options, io) => (await import('./commands/config-versions.js')).configRollback(version, options, io),
      }),
    ],
  }),
  defineCommand({
    name: 'db',
    summary: "the local stage's embedded PostgreSQL: its status, URL, start, stop, reset and psql",
    options: COMMAND_OPTIONS.db,
    examples: ['cnf-admin db status', 'psql "$(cnf-admin db url)"', 'cnf-admin db reset --yes'],
    subcommands: [
      defineCommand({
        name: 'status',
        summary: 'whether it runs, its pid, port, URL, data directory, size and version (starts nothing)',
        options: COMMAND_OPTIONS['db status'],
        examples: ['cnf-admin db status', 'cnf-admin db status --json'],
        run: async (_args, options, io) => (await import('./commands/db.js')).dbStatus(options, io),
      }),
      defineCommand({
        name: 'url',
        summary: 'print its URL (a local one, with no secret), starting it if it is not running',
        options: COMMAND_OPTIONS['db url'],
        examples: ['cnf-admin db url', 'psql "$(cnf-admin db url)"'],
        run: async (_args, options, io) => (await import('./commands/db.js')).dbUrl(options, io),
      }),
      defineCommand({
        name: 'start',
        summary: 'start it now, when it is not running, and say where it serves (a run, serve, console or db url starts it too)',
        options: COMMAND_OPTIONS['db start'],
        examples: ['cnf-admin db start', 'cnf-admin db start --json'],
        run: async (_args, options, io) => (await import('./commands/db.js')).dbStart(options, io),
      }),
      defineCommand({
        name: 'psql',
        arguments: '[psqlArgs...]',
        summary: "open psql on it, starting it if it is not running (needs the system's psql)",
        options: COMMAND_OPTIONS['db psql'],
        examples: ['cnf-admin db psql', "cnf-admin db psql -- -c 'select version()'"],
        afterDashes: () => "psql's own flags go after --, e.g. cnf-admin db psql -- -c 'select version()'",
        run: async ([psqlArgs], options, io) => (await import('./commands/db-psql.js')).dbPsql(psqlArgs, options, io),
      }),
      defineCommand({
        name: 'stop',
        summary: 'stop it now; the next run, serve or console starts it again',
        options: COMMAND_OPTIONS['db stop'],
        examples: ['cnf-admin db stop'],
        run: async (_args, options, io) => (await import('./commands/db.js')).dbStop(options, io),
      }),
      defineCommand({
        name: 'reset',
        summary: 'stop it and delete all its data (asks first; --yes when not at a terminal)',
        options: COMMAND_OPTIONS['db reset'],
        examples: ['cnf-admin db reset', 'cnf-admin db reset --yes && cnf-admin invoke <task>'],
        run: async (_args, options, io) => (await import('./commands/db.js')).dbReset(options, io),
      }),
    ],
  }),
  defineCommand({
    name: 'logs',
    arguments: '[runId]',
    summary: "show a run's whole log, or follow it",
    options: COMMAND_OPTIONS.logs,
    examples: [
      'cnf-admin logs (the newest run)',
      'cnf-admin logs 20261124-143927-k3f9qz --follow',
      'cnf-admin logs last --json',
      'cnf-admin logs 20261124-1439 (a unique start of a run id)',
    ],
    run: async ([runId], options, io) => (await import('./commands/logs.js')).logs(runId, options, io),
  }),
  defineCommand({
    name: 'stop',
    arguments: '<runId>',
    summary: "stop a run: a local one, or a container task's on an AWS stage (ECS StopTask); it ends with 130, recorded",
    options: COMMAND_OPTIONS.stop,
    examples: ['cnf-admin stop 20261124-143927-k3f9qz', 'cnf-admin stop 20261124-143927-k3f9qz --stage prod'],
    whenMissing: 'See the runs with: cnf-admin runs',
    run: async ([runId], options, io) => (await import('./commands/stop.js')).stop(runId, options, io),
  }),
  defineCommand({
    name: 'runs',
    summary: 'the run ledger: who ran what, on which release, with which outcome',
    options: COMMAND_OPTIONS.runs,
    examples: ['cnf-admin runs', 'cnf-admin runs --task <task> --limit 5', 'cnf-admin runs show 20261124-143927-k3f9qz'],
    run: async (_args, options, io) => (await import('./commands/runs.js')).runs(options, io),
    subcommands: [
      defineCommand({
        name: 'show',
        arguments: '<runId>',
        summary: "one run's record and log",
        options: COMMAND_OPTIONS['runs show'],
        examples: ['cnf-admin runs show 20261124-143927-k3f9qz', 'cnf-admin runs show last'],
        whenMissing: 'See the runs with: cnf-admin runs',
        run: async ([runId], options, io) => (await import('./commands/runs.js')).runsShow(runId, options, io),
      }),
    ],
  }),
  defineCommand({
    name: 'status',
    summary: 'the alias pairs, the releases they point at, and drift',
    options: COMMAND_OPTIONS.status,
    examples: ['cnf-admin status', 'cnf-admin status --stage prod --json'],
    run: async (_args, options, io) => (await import('./commands/status.js')).status(options, io),
  }),
  defineCommand({
    name: 'policy',
    summary: 'print the least-privilege IAM policy an operator needs for an AWS stage',
    options: COMMAND_OPTIONS.policy,
    examples: [
      'cnf-admin policy --stage prod > cnf-admin-prod-policy.json',
      'cnf-admin policy --stage prod --account 123456789012 --region eu-west-1',
    ],
    run: async (_args, options, io) => (await import('./commands/policy.js')).policy(options, io),
  }),
  defineCommand({
    name: 'init',
    summary: 'set up the project in this directory (it has a package.json) for cnf-admin',
    options: COMMAND_OPTIONS.init,
    examples: ['cnf-admin init', 'cnf-admin init --database postgres', 'cnf-admin init --app billing --dry-run'],
    run: async (_args, options, io) => (await import('./commands/init.js')).init(options, io),
  }),
  defineCommand({
    name: 'cdk-app',
    arguments: '<file>',
    summary: 'run a TypeScript CDK app, as cdk.json\'s "app" names it (cnf-admin brings the TypeScript loader)',
    options: COMMAND_OPTIONS['cdk-app'],
    examples: ['cnf-admin cdk-app bin/cdk-app.ts'],
    run: async ([file], _options, io) => (await import('./commands/cdk-app.js')).cdkApp(file, io),
  }),
  defineCommand({
    name: 'ui',
    summary: 'a page of the runs, tasks and releases of a stage, on 127.0.0.1, until Ctrl-C',
    options: COMMAND_OPTIONS.ui,
    examples: ['cnf-admin ui', 'cnf-admin ui --stage prod --port 8233 --no-open'],
    run: async (_args, options, io) => (await import('./commands/ui.js')).ui(options, io),
  }),
  defineCommand({
    name: 'releases',
    summary: 'the releases the stage retains, newest first',
    options: COMMAND_OPTIONS.releases,
    examples: ['cnf-admin releases'],
    run: async (_args, options, io) => (await import('./commands/status.js')).releases(options, io),
  }),
  defineCommand({
    name: 'rollback',
    summary: 'move web and admin back to a retained release, with its pinned config',
    options: COMMAND_OPTIONS.rollback,
    examples: ['cnf-admin rollback --dry-run', 'cnf-admin rollback --to r-6765a295784c --reason "500s after deploy" --yes'],
    run: async (_args, options, io) => (await import('./commands/rollback.js')).rollback(options, io),
  }),
];

/** Help wraps a description column down to this width; narrower, a description goes on as one line. */
const MIN_DESCRIPTION_WIDTH = 16;

/** A command as the list of commands shows it: its name and arguments (its own help lists its options). */
function commandTerm(command: Command): string {
  const args = command.registeredArguments.map((arg) =>
    arg.required ? `<${arg.name()}${arg.variadic ? '...' : ''}>` : `[${arg.name()}${arg.variadic ? '...' : ''}]`,
  );
  return [command.name(), ...args].join(' ');
}

/** Examples as help shows them, `  $ ` before each; one longer than the width goes on, indented, between words. */
function exampleLines(examples: readonly string[], width: number): string {
  return examples
    .map((example) =>
      wrapText(example, Math.max(MIN_DESCRIPTION_WIDTH, width - 6))
        .split('\n')
        .map((line, index) => (index === 0 ? `  $ ${line}` : `      ${line}`))
        .join('\n'),
    )
    .join('\n');
}

function addCommand(
  parent: Command,
  spec: CommandSpec,
  io: CliIo,
  setExitCode: (code: number) => void,
  project: ProjectExamples | undefined,
  width: number,
): void {
  const command = parent
    .command(spec.arguments === undefined ? spec.name : `${spec.name} ${spec.arguments}`)
    .summary(spec.summary)
    .description(spec.summary)
    .aliases(spec.aliases ?? []);
  for (const option of spec.options) command.addOption(commanderOption(option));
  // Help texts are written when help is shown, not for every command at every start.
  command.addHelpText('after', () => `\nExamples:\n${exampleLines(spec.examples, width)}\n`);
  if (project !== undefined) {
    command.addHelpText('after', () => {
      const own = spec.projectExamples?.(project) ?? [];
      return own.length === 0 ? '' : `In this project (release ${project.release}):\n${exampleLines(own, width)}\n`;
    });
  }
  // `runs show <id> --stage prod`: a subcommand's flags are its own, not its parent's.
  if (spec.subcommands !== undefined) command.enablePositionalOptions();
  for (const subcommand of spec.subcommands ?? []) addCommand(command, subcommand, io, setExitCode, project, width);
  const { run } = spec;
  if (run !== undefined) {
    // `runs frob`: a group that runs on its own hears of its commands, rather than commander's "too many arguments".
    if (spec.subcommands !== undefined) command.allowExcessArguments(true);
    command.action(async (...received: unknown[]) => {
      if (spec.subcommands !== undefined && command.args.length > 0) throw noSuchSubcommand(spec, command.args[0] as string);
      // commander passes the positional arguments, then the options, then the command.
      const args = received.slice(0, -2);
      setExitCode(await run(args, command.opts(), io));
    });
  }
}

/** A word after a group that takes none of its own (`runs frob`): its commands, and the one the word may misspell. */
function noSuchSubcommand(group: CommandSpec, word: string): UsageError {
  const subcommands = group.subcommands ?? [];
  const close = closestNames(
    word,
    subcommands.map((subcommand) => subcommand.name),
  );
  return new UsageError(
    `${group.name} takes no argument, and has no command ${JSON.stringify(word)}.${close.length > 0 ? ` Did you mean ${group.name} ${close.join(' or ')}?` : ''}`,
    { hint: subcommandsLine(group) },
  );
}

/** A group's commands as they are typed: `Its commands: cnf-admin config list, cnf-admin config get <key>, …`. */
function subcommandsLine(group: CommandSpec): string {
  const usages = (group.subcommands ?? []).map((subcommand) =>
    `cnf-admin ${group.name} ${subcommand.name} ${subcommand.arguments ?? ''}`.trimEnd(),
  );
  return `${usages.length === 1 ? 'Its command' : 'Its commands'}: ${usages.join(', ')}`;
}

/**
 * Builds the CLI's argument parser from {@link COMMANDS}. Parse errors throw
 * (commander's exitOverride) instead of exiting, and print nothing, so that
 * `cli()` alone reports them, masked of secrets, with exit code 64. With `project`, the help of `invoke` and `run`
 * also shows examples written with the project's own tasks and scripts. With `only`, the parser has that command
 * alone (and its subcommands): for a command line that names it, and asks for no help.
 */
function buildProgram(io: CliIo, setExitCode: (code: number) => void, project?: ProjectExamples, only?: CommandSpec): Command {
  const width = terminalWidth(io);
  const program = new Command('cnf-admin')
    .description('Run admin processes (migrations, one-off tasks) against exactly the release that serves live traffic.')
    .version(toolVersion(), '-v, --version')
    .exitOverride()
    .enablePositionalOptions()
    // Help wraps between words at the terminal's width (tables use the same), never mid-word by the terminal.
    .configureHelp({ minWidthToWrap: MIN_DESCRIPTION_WIDTH, subcommandTerm: commandTerm, optionDescription: optionHelp })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => width,
      getErrHelpWidth: () => width,
      // cli() reports commander's errors as it reports every other: a word typed there may be a secret.
      outputError: () => undefined,
    });
  program.addHelpText(
    'after',
    () =>
      `\n${wrapText(
        `Commands that work on a stage take --stage (default: local). Exit codes: 0..${ExitCode.TASK_MAX} the task's own, ${ExitCode.USAGE} usage, ${ExitCode.BUILD_FAILED} the bundle did not build, ${ExitCode.UNAVAILABLE} unavailable or damaged state, ${ExitCode.SOFTWARE} a run crashed or cnf-admin failed, ${ExitCode.TEMP_FAIL} locked, throttled or AWS failing (try again), ${ExitCode.NO_PERMISSION} permission denied, ${ExitCode.RELEASE_MISMATCH} release mismatch, ${ExitCode.TIMEOUT} timeout, ${ExitCode.INTERRUPTED} interrupted.`,
        width,
      )}\n`,
  );
  for (const spec of only === undefined ? COMMANDS : [only]) addCommand(program, spec, io, setExitCode, project, width);
  return program;
}

export { buildProgram, COMMANDS, subcommandsLine };
export type { CommandSpec };
