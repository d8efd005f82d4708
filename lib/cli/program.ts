import { Command, InvalidArgumentError, Option } from 'commander';
import { ERROR_PREFIX } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { toolVersion } from '../core/tool-root.js';
import type { CliIo } from './io.js';
import type { ProjectExamples } from './project-examples.js';
import { terminalWidth, wrapText } from './render/table.js';

/** One flag of a command. */
interface OptionSpec {
  readonly flags: string;
  readonly description: string;
}

/** One command of the CLI: its words, flags, help, and what runs it (loaded on use). */
interface CommandSpec {
  readonly name: string;
  /** Positional arguments in commander's notation, e.g. `<task> [taskArgs...]`. */
  readonly arguments?: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  readonly examples: readonly string[];
  /** Examples with the project's own tasks and scripts, shown after the generic ones when help can read them. */
  readonly projectExamples?: (examples: ProjectExamples) => readonly string[];
  /** Runs the command with its positional arguments and flags; resolves to the exit code. */
  readonly run?: (args: readonly unknown[], options: Record<string, unknown>, io: CliIo) => Promise<number>;
  readonly subcommands?: readonly CommandSpec[];
}

const STAGE: OptionSpec = { flags: '-s, --stage <name>', description: 'the stage to work on (default: local)' };
const JSON_OUTPUT: OptionSpec = { flags: '--json', description: 'print one JSON document to stdout, for scripts' };
const VERBOSE: OptionSpec = { flags: '--verbose', description: "show stack traces whole, cnf-admin's own frames too" };
const AWS: readonly OptionSpec[] = [
  { flags: '--profile <name>', description: 'AWS profile, for AWS stages (default: AWS_PROFILE)' },
  { flags: '--region <name>', description: 'AWS region, for AWS stages (default: AWS_REGION)' },
];
const TARGET: readonly OptionSpec[] = [
  { flags: '--alias <name>', description: 'follow another alias pair than live' },
  { flags: '--release <id>', description: 'run against a retained release instead of the live one' },
];

/** The flags of everything that starts a run: `invoke` and `run`. */
const RUN_FLAGS: readonly OptionSpec[] = [
  STAGE,
  { flags: '--args <json>', description: 'args as a JSON object' },
  ...TARGET,
  { flags: '--config <which>', description: 'with --release: its pinned config version (pinned, the default) or the live one (current)' },
  { flags: '--run-id <id>', description: 'the run id (a retry with the same id runs nothing twice)' },
  { flags: '--wait-lock [duration]', description: 'wait for a locked task instead of exiting 75 (default: 5m)' },
  { flags: '--dry-run', description: 'show what would run, and run nothing' },
  { flags: '--detach', description: 'start the run, print its run id and how to follow it, and return' },
  JSON_OUTPUT,
  VERBOSE,
  ...AWS,
];

const str = (value: unknown): string => value as string;

/** Every command of cnf-admin, declared in one place. */
const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'invoke',
    arguments: '<task> [taskArgs...]',
    summary: 'run a task against the live release and exit with its exit code',
    options: RUN_FLAGS,
    examples: [
      'cnf-admin invoke <task>',
      'cnf-admin invoke <task> -- --<arg> <value> --<flag>',
      `cnf-admin invoke <task> --args '{"<arg>": 30}' --json`,
      'cnf-admin invoke <task> --stage prod --dry-run',
      'cnf-admin tasks (the tasks of the live release, with their args)',
    ],
    projectExamples: (examples) => examples.invoke,
    run: async ([task, taskArgs], options, io) =>
      (await import('./commands/invoke.js')).invoke(
        { ...options, task: str(task), taskArgs: (taskArgs as string[] | undefined) ?? [] },
        io,
      ),
  },
  {
    name: 'run',
    arguments: '<script> [scriptArgs...]',
    summary: 'run a one-time script of the live release (a .ts file under scripts/)',
    options: RUN_FLAGS,
    examples: ['cnf-admin run scripts/<file>.ts -- --dry-run', 'cnf-admin run scripts/<file>.ts --stage prod'],
    projectExamples: (examples) => examples.run,
    run: async ([path, scriptArgs], options, io) =>
      (await import('./commands/run.js')).runScript(
        { ...options, path: str(path), taskArgs: (scriptArgs as string[] | undefined) ?? [] },
        io,
      ),
  },
  {
    name: 'console',
    summary: 'a REPL evaluated inside the live release, with its config, database and modules',
    options: [
      STAGE,
      { flags: '-e, --eval <code>', description: 'evaluate this and exit (input piped to stdin is evaluated statement by statement)' },
      ...TARGET,
      { flags: '--json', description: 'with -e: print the run result as one JSON document' },
      ...AWS,
    ],
    examples: [
      'cnf-admin console',
      "cnf-admin console -e 'config.LOG_LEVEL'",
      "echo 'const started = Date.now(); started' | cnf-admin console",
    ],
    run: async (_args, options, io) => (await import('./commands/console.js')).consoleCommand(options, io),
  },
  {
    name: 'tasks',
    summary: "list the live release's tasks and their args",
    options: [STAGE, ...TARGET, JSON_OUTPUT, ...AWS],
    examples: ['cnf-admin tasks', 'cnf-admin tasks --json'],
    run: async (_args, options, io) => (await import('./commands/tasks.js')).tasks(options, io),
  },
  {
    name: 'deploy',
    summary: 'build the working tree into a release and move the local alias pair to it',
    options: [STAGE, { flags: '--alias <name>', description: 'the alias pair to move (default: live)' }, JSON_OUTPUT],
    examples: ['cnf-admin deploy --stage local'],
    run: async (_args, options, io) => (await import('./commands/deploy.js')).deploy(options, io),
  },
  {
    name: 'serve',
    summary: "serve the live release's web handler on localhost",
    options: [
      STAGE,
      { flags: '-p, --port <port>', description: 'the port to listen on (default: 3000)' },
      { flags: '--host <host>', description: 'the address to listen on (default: 127.0.0.1)' },
      { flags: '--alias <name>', description: 'serve another alias pair than live' },
      { flags: '--json', description: 'print where it serves as one JSON document; request logs go to stderr' },
    ],
    examples: ['cnf-admin serve', 'cnf-admin serve --port 8080'],
    run: async (_args, options, io) => (await import('./commands/serve.js')).serve(options, io),
  },
  {
    name: 'config',
    summary: "read and change the stage's parameter set",
    options: [],
    examples: ['cnf-admin config list', 'cnf-admin config set FEATURE_X on', 'echo "$SECRET" | cnf-admin config set API_TOKEN - --secure'],
    subcommands: [
      {
        name: 'list',
        summary: 'every parameter, secrets masked',
        options: [STAGE, JSON_OUTPUT, ...AWS],
        examples: ['cnf-admin config list --stage local'],
        run: async (_args, options, io) => (await import('./commands/config.js')).configList(options, io),
      },
      {
        name: 'get',
        arguments: '<key>',
        summary: "one parameter's value (a secret's is never printed)",
        options: [STAGE, JSON_OUTPUT, ...AWS],
        examples: ['cnf-admin config get DATABASE_URL'],
        run: async ([key], options, io) => (await import('./commands/config.js')).configGet(str(key), options, io),
      },
      {
        name: 'set',
        arguments: '<key> [value]',
        summary: 'set a parameter; a value of - is read from stdin, none is asked for (hidden with --secure)',
        options: [STAGE, { flags: '--secure', description: 'store it as a secret (SecureString), never printed' }, JSON_OUTPUT, ...AWS],
        examples: [
          'cnf-admin config set LOG_LEVEL debug',
          'cnf-admin config set API_TOKEN --secure',
          'cnf-admin config set TLS_KEY - --secure < key.pem',
        ],
        run: async ([key, value], options, io) =>
          (await import('./commands/config.js')).configSet(str(key), value === undefined ? undefined : str(value), options, io),
      },
      {
        name: 'unset',
        arguments: '<key>',
        summary: 'remove a parameter',
        options: [STAGE, JSON_OUTPUT, ...AWS],
        examples: ['cnf-admin config unset LOG_LEVEL'],
        run: async ([key], options, io) => (await import('./commands/config.js')).configUnset(str(key), options, io),
      },
      {
        name: 'history',
        arguments: '[key]',
        summary: 'the config versions, newest first (with KEY: those that changed it)',
        options: [STAGE, JSON_OUTPUT, ...AWS],
        examples: ['cnf-admin config history', 'cnf-admin config history LOG_LEVEL'],
        run: async ([key], options, io) =>
          (await import('./commands/config-versions.js')).configHistory(key as string | undefined, options, io),
      },
      {
        name: 'diff',
        arguments: '<from> <to>',
        summary: 'what changed between two config versions, secrets masked',
        options: [STAGE, JSON_OUTPUT, ...AWS],
        examples: ['cnf-admin config diff v6 v7'],
        run: async ([from, to], options, io) => (await import('./commands/config-versions.js')).configDiff(str(from), str(to), options, io),
      },
      {
        name: 'rollback',
        arguments: '<version>',
        summary: 'make a new config version equal to an older one, live at once',
        options: [STAGE, JSON_OUTPUT, ...AWS],
        examples: ['cnf-admin config rollback v6'],
        run: async ([version], options, io) => (await import('./commands/config-versions.js')).configRollback(str(version), options, io),
      },
    ],
  },
  {
    name: 'db',
    summary: "the local stage's embedded PostgreSQL: its status, URL, stop and reset",
    options: [],
    examples: ['cnf-admin db status', 'psql "$(cnf-admin db url)"', 'cnf-admin db reset --yes'],
    subcommands: [
      {
        name: 'status',
        summary: 'whether it runs, its pid, port, URL, data directory, size and version (starts nothing)',
        options: [STAGE, JSON_OUTPUT],
        examples: ['cnf-admin db status', 'cnf-admin db status --json'],
        run: async (_args, options, io) => (await import('./commands/db.js')).dbStatus(options, io),
      },
      {
        name: 'url',
        summary: 'print its URL (a local one, with no secret), starting it if it is not running',
        options: [STAGE, JSON_OUTPUT],
        examples: ['cnf-admin db url', 'psql "$(cnf-admin db url)"'],
        run: async (_args, options, io) => (await import('./commands/db.js')).dbUrl(options, io),
      },
      {
        name: 'psql',
        arguments: '[psqlArgs...]',
        summary: "open psql on it, starting it if it is not running (needs the system's psql)",
        options: [STAGE],
        examples: ['cnf-admin db psql', "cnf-admin db psql -- -c 'select version()'"],
        run: async ([psqlArgs], options, io) =>
          (await import('./commands/db-psql.js')).dbPsql((psqlArgs as string[] | undefined) ?? [], options, io),
      },
      {
        name: 'stop',
        summary: 'stop it now; the next run, serve or console starts it again',
        options: [STAGE, JSON_OUTPUT],
        examples: ['cnf-admin db stop'],
        run: async (_args, options, io) => (await import('./commands/db.js')).dbStop(options, io),
      },
      {
        name: 'reset',
        summary: 'stop it and delete all its data (asks first; --yes when not at a terminal)',
        options: [
          STAGE,
          { flags: '-y, --yes', description: 'delete without asking' },
          { flags: '--force', description: 'delete even while runs are in flight' },
          JSON_OUTPUT,
        ],
        examples: ['cnf-admin db reset', 'cnf-admin db reset --yes && cnf-admin invoke <task>'],
        run: async (_args, options, io) => (await import('./commands/db.js')).dbReset(options, io),
      },
    ],
  },
  {
    name: 'logs',
    arguments: '[runId]',
    summary: "show a run's whole log, or follow it",
    options: [
      STAGE,
      { flags: '-f, --follow', description: 'keep following until the run ends, then exit with its exit code' },
      JSON_OUTPUT,
      VERBOSE,
      ...AWS,
    ],
    examples: [
      'cnf-admin logs (the newest run)',
      'cnf-admin logs 20261124-143927-k3f9qz --follow',
      'cnf-admin logs last --json',
      'cnf-admin logs 20261124-1439 (a unique start of a run id)',
    ],
    run: async ([runId], options, io) => (await import('./commands/logs.js')).logs(runId as string | undefined, options, io),
  },
  {
    name: 'stop',
    arguments: '<runId>',
    summary: "stop a run: a local one, or a container task's on an AWS stage (ECS StopTask); it ends with 130, recorded",
    options: [STAGE, JSON_OUTPUT, ...AWS],
    examples: ['cnf-admin stop 20261124-143927-k3f9qz', 'cnf-admin stop 20261124-143927-k3f9qz --stage prod'],
    run: async ([runId], options, io) => (await import('./commands/stop.js')).stop(str(runId), options, io),
  },
  {
    name: 'runs',
    summary: 'the run ledger: who ran what, on which release, with which outcome',
    options: [
      STAGE,
      { flags: '--task <name>', description: 'only runs of this task' },
      { flags: '-n, --limit <n>', description: 'at most this many, newest first (default: 20)' },
      { flags: '--all', description: 'list console evaluations (cnf:console) too; they are left out by default' },
      JSON_OUTPUT,
      ...AWS,
    ],
    examples: ['cnf-admin runs', 'cnf-admin runs --task <task> --limit 5', 'cnf-admin runs show 20261124-143927-k3f9qz'],
    run: async (_args, options, io) => (await import('./commands/runs.js')).runs(options, io),
    subcommands: [
      {
        name: 'show',
        arguments: '<runId>',
        summary: "one run's record and log",
        options: [STAGE, JSON_OUTPUT, ...AWS],
        examples: ['cnf-admin runs show 20261124-143927-k3f9qz', 'cnf-admin runs show last'],
        run: async ([runId], options, io) => (await import('./commands/runs.js')).runsShow(str(runId), options, io),
      },
    ],
  },
  {
    name: 'status',
    summary: 'the alias pairs, the releases they point at, and drift',
    options: [STAGE, JSON_OUTPUT, ...AWS],
    examples: ['cnf-admin status', 'cnf-admin status --stage prod --json'],
    run: async (_args, options, io) => (await import('./commands/status.js')).status(options, io),
  },
  {
    name: 'policy',
    summary: 'print the least-privilege IAM policy an operator needs for an AWS stage',
    options: [
      { flags: '-s, --stage <name>', description: 'the AWS stage the policy is for' },
      { flags: '--account <id>', description: "the stage's AWS account: print the policy without access to AWS" },
      ...AWS,
    ],
    examples: [
      'cnf-admin policy --stage prod > cnf-admin-prod-policy.json',
      'cnf-admin policy --stage prod --account 123456789012 --region eu-west-1',
    ],
    run: async (_args, options, io) => (await import('./commands/policy.js')).policy(options, io),
  },
  {
    name: 'init',
    summary: 'set up the project in this directory (it has a package.json) for cnf-admin',
    options: [
      { flags: '--app <name>', description: 'the app name (default: the package name, made valid)' },
      {
        flags: '--database <kind>',
        description: "set up SQL migrations, a migrate task and the local stage's embedded database (postgres)",
      },
      { flags: '--dry-run', description: 'list what would be written, and write nothing' },
    ],
    examples: ['cnf-admin init', 'cnf-admin init --database postgres', 'cnf-admin init --app billing --dry-run'],
    run: async (_args, options, io) => (await import('./commands/init.js')).init(options, io),
  },
  {
    name: 'cdk-app',
    arguments: '<file>',
    summary: 'run a TypeScript CDK app, as cdk.json\'s "app" names it (cnf-admin brings the TypeScript loader)',
    options: [],
    examples: ['cnf-admin cdk-app bin/cdk-app.ts'],
    run: async ([file], _options, io) => (await import('./commands/cdk-app.js')).cdkApp(str(file), io),
  },
  {
    name: 'ui',
    summary: 'a page of the runs, tasks and releases of a stage, on 127.0.0.1, until Ctrl-C',
    options: [
      STAGE,
      { flags: '-p, --port <port>', description: 'the port to listen on (default: a free one)' },
      { flags: '--host <host>', description: 'the address to listen on (default: 127.0.0.1; anything else warns)' },
      { flags: '--no-open', description: 'print the address, and do not open the browser' },
      { flags: '--json', description: 'print the address as one JSON document' },
      ...AWS,
    ],
    examples: ['cnf-admin ui', 'cnf-admin ui --stage prod --port 8233 --no-open'],
    run: async (_args, options, io) => (await import('./commands/ui.js')).ui(options, io),
  },
  {
    name: 'releases',
    summary: 'the releases the stage retains, newest first',
    options: [STAGE, JSON_OUTPUT, ...AWS],
    examples: ['cnf-admin releases'],
    run: async (_args, options, io) => (await import('./commands/status.js')).releases(options, io),
  },
  {
    name: 'rollback',
    summary: 'move web and admin back to a retained release, with its pinned config',
    options: [
      STAGE,
      { flags: '--to <release>', description: 'the release to roll back to, or previous (default: previous)' },
      { flags: '--config <which>', description: "pinned: restore the release's config version (default); current: keep the live one" },
      { flags: '--reason <text>', description: 'why, as the ledger records it' },
      { flags: '--run-id <id>', description: 'the run id (a retry with the same id rolls back once)' },
      { flags: '--force', description: 'pass --force to the release-phase task (migrate: run although the database is ahead)' },
      { flags: '--dry-run', description: 'show the plan and the config diff, and move nothing' },
      { flags: '--yes', description: 'roll back without asking (needed when stdin is not a terminal)' },
      JSON_OUTPUT,
      ...AWS,
    ],
    examples: ['cnf-admin rollback --dry-run', 'cnf-admin rollback --to r-6765a295784c --reason "500s after deploy" --yes'],
    run: async (_args, options, io) => (await import('./commands/rollback.js')).rollback(options, io),
  },
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
    .description(spec.summary);
  for (const option of spec.options) command.addOption(onlyOnce(new Option(option.flags, option.description)));
  command.addHelpText('after', `\nExamples:\n${exampleLines(spec.examples, width)}\n`);
  const own = project === undefined ? [] : (spec.projectExamples?.(project) ?? []);
  if (project !== undefined && own.length > 0) {
    command.addHelpText('after', `In this project (release ${project.release}):\n${exampleLines(own, width)}\n`);
  }
  // `runs show <id> --stage prod`: a subcommand's flags are its own, not its parent's.
  if (spec.subcommands !== undefined) command.enablePositionalOptions();
  for (const subcommand of spec.subcommands ?? []) addCommand(command, subcommand, io, setExitCode, project, width);
  const { run } = spec;
  if (run !== undefined) {
    command.action(async (...received: unknown[]) => {
      // commander passes the positional arguments, then the options, then the command.
      const args = received.slice(0, -2);
      setExitCode(await run(args, received.at(-2) as Record<string, unknown>, io));
    });
  }
}

/**
 * A flag that takes a value is given once: `--stage prod --stage local` is
 * refused, as a task's repeated flag is, since "the last one wins" would
 * quietly pick a stage (or run id, or args) for the user.
 */
function onlyOnce(option: Option): Option {
  if (!option.required && !option.optional) return option;
  return option.argParser((value: string, previous: unknown) => {
    if (previous !== undefined) {
      throw new InvalidArgumentError(`${option.long} is given more than once (${String(previous)}, then ${value}); give it once.`);
    }
    return value;
  });
}

/**
 * Builds the CLI's argument parser from {@link COMMANDS}. Parse errors throw
 * (commander's exitOverride) instead of exiting, so that `cli()` alone turns
 * them into exit code 64. With `project`, the help of `invoke` and `run`
 * also shows examples written with the project's own tasks and scripts.
 */
function buildProgram(io: CliIo, setExitCode: (code: number) => void, project?: ProjectExamples): Command {
  const width = terminalWidth(io);
  const program = new Command('cnf-admin')
    .description('Run admin processes (migrations, one-off tasks) against exactly the release that serves live traffic.')
    .version(toolVersion(), '-v, --version')
    .exitOverride()
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)')
    // Help wraps between words at the terminal's width (tables use the same), never mid-word by the terminal.
    .configureHelp({ minWidthToWrap: MIN_DESCRIPTION_WIDTH, subcommandTerm: commandTerm })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => width,
      getErrHelpWidth: () => width,
      // One prefix for every error the CLI prints, commander's own too.
      outputError: (text, write) => write(text.replace(/^error: /, `${ERROR_PREFIX} `)),
    });
  program.addHelpText(
    'after',
    `\n${wrapText(
      `Every command takes --stage (default: local). Exit codes: 0..${ExitCode.TASK_MAX} the task's own, ${ExitCode.USAGE} usage, ${ExitCode.BUILD_FAILED} the bundle did not build, ${ExitCode.UNAVAILABLE} unavailable or damaged state, ${ExitCode.SOFTWARE} a run crashed or cnf-admin failed, ${ExitCode.TEMP_FAIL} locked or throttled, ${ExitCode.NO_PERMISSION} permission denied, ${ExitCode.RELEASE_MISMATCH} release mismatch, ${ExitCode.TIMEOUT} timeout, ${ExitCode.INTERRUPTED} interrupted.`,
      width,
    )}\n`,
  );
  for (const spec of COMMANDS) addCommand(program, spec, io, setExitCode, project, width);
  return program;
}

export { buildProgram, COMMANDS };
export type { CommandSpec, OptionSpec };
