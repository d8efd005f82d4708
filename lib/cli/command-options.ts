import { CONFIG_CHOICES, DEFAULT_ALIAS } from '../core/platform.js';
import { parseDuration } from './duration.js';
import { option, type OptionsOf } from './option.js';
import { accountId, aliasNameText, codeText, oneOf, portNumber, positiveInteger, runIdText, taskNameText } from './option-parsers.js';

/*
 * The flags of every command, each declared once with its parser and
 * default. The command table (program.ts) registers them with commander,
 * and each command's options type is inferred from them (CommandOptions),
 * so a renamed flag is a compile error in the command that reads it.
 */

/** Where `serve` and `ui` listen unless `--host` says otherwise: this machine only. */
const LOOPBACK = '127.0.0.1';

const STAGE = option('-s, --stage <name>', 'the stage to work on', { default: 'local' });
const JSON_OUTPUT = option('--json', 'print one JSON document to stdout, for scripts');
const VERBOSE = option('--verbose', "show stack traces whole, cnf-admin's own frames too");
const AWS = [
  option('--profile <name>', 'AWS profile, for AWS stages (default: AWS_PROFILE)'),
  option('--region <name>', 'AWS region, for AWS stages (default: AWS_REGION)'),
] as const;
const TARGET = [
  option('--alias <name>', 'follow another alias pair than live', { parse: aliasNameText }),
  option('--release <id>', 'run against a retained release instead of the live one'),
] as const;
const RELEASE_CONFIG = option(
  '--config <which>',
  'with --release: its pinned config version (pinned, the default) or the live one (current)',
  { parse: oneOf(CONFIG_CHOICES) },
);
const RUN_ID = option('--run-id <id>', 'the run id (a retry with the same id runs nothing twice)', { parse: runIdText });
const DRY_RUN = option('--dry-run', 'show what would run, and run nothing');

/** The flags of everything that starts a run: `invoke` and `run`. */
const RUN_FLAGS = [
  STAGE,
  option('--args <json>', 'args as a JSON object'),
  ...TARGET,
  RELEASE_CONFIG,
  RUN_ID,
  option('--wait-lock [duration]', 'wait for a locked task instead of exiting 75', { parse: parseDuration, preset: '5m' }),
  DRY_RUN,
  option('--detach', 'start the run, print its run id and how to follow it, and return'),
  JSON_OUTPUT,
  VERBOSE,
  ...AWS,
] as const;

/** The flags of a command that reads or changes a stage: the stage, `--json`, and AWS's. */
const STAGE_FLAGS = [STAGE, JSON_OUTPUT, ...AWS] as const;

/** Every command's flags, by its words (`config set`, `runs show`). */
const COMMAND_OPTIONS = {
  invoke: RUN_FLAGS,
  run: RUN_FLAGS,
  console: [
    STAGE,
    option('-e, --eval <code>', 'evaluate this and exit (input piped to stdin is evaluated statement by statement)', { parse: codeText }),
    ...TARGET,
    RELEASE_CONFIG,
    option('--json', 'with -e: print the run result as one JSON document'),
    ...AWS,
  ],
  tasks: [STAGE, ...TARGET, JSON_OUTPUT, ...AWS],
  deploy: [STAGE, option('--alias <name>', 'the alias pair to move', { default: DEFAULT_ALIAS, parse: aliasNameText }), JSON_OUTPUT],
  serve: [
    STAGE,
    option('-p, --port <port>', 'the port to listen on', { parse: portNumber, default: 3000 }),
    option('--host <host>', 'the address to listen on', { default: LOOPBACK }),
    option('--alias <name>', 'the alias pair to serve', { default: DEFAULT_ALIAS, parse: aliasNameText }),
    option('--json', 'print where it serves as one JSON document; request logs go to stderr'),
  ],
  config: [],
  'config list': STAGE_FLAGS,
  'config get': STAGE_FLAGS,
  'config set': [STAGE, option('--secure', 'store it as a secret (SecureString), never printed'), JSON_OUTPUT, ...AWS],
  'config unset': STAGE_FLAGS,
  'config history': STAGE_FLAGS,
  'config diff': STAGE_FLAGS,
  'config rollback': STAGE_FLAGS,
  db: [],
  'db status': [STAGE, JSON_OUTPUT],
  'db url': [STAGE, JSON_OUTPUT],
  'db start': [STAGE, JSON_OUTPUT],
  'db psql': [STAGE],
  'db stop': [STAGE, option('--force', 'stop even while runs are in flight'), JSON_OUTPUT],
  'db reset': [STAGE, option('-y, --yes', 'delete without asking'), option('--force', 'delete even while runs are in flight'), JSON_OUTPUT],
  logs: [STAGE, option('-f, --follow', 'keep following until the run ends, then exit with its exit code'), JSON_OUTPUT, VERBOSE, ...AWS],
  stop: STAGE_FLAGS,
  runs: [
    STAGE,
    option('--task <name>', 'only runs of this task', { parse: taskNameText }),
    option('-n, --limit <n>', 'at most this many, newest first', { parse: positiveInteger, default: 20 }),
    option('--all', 'list console evaluations (cnf:console) too; they are left out by default'),
    JSON_OUTPUT,
    ...AWS,
  ],
  'runs show': STAGE_FLAGS,
  status: STAGE_FLAGS,
  policy: [
    option('-s, --stage <name>', 'the AWS stage the policy is for'),
    option('--account <id>', "the stage's AWS account: print the policy without access to AWS", { parse: accountId }),
    ...AWS,
  ],
  init: [
    option('--app <name>', 'the app name (default: the package name, made valid)'),
    option('--database <kind>', "set up SQL migrations, a migrate task and the local stage's embedded database (postgres)"),
    option('--dry-run', 'list what would be written, and write nothing'),
  ],
  'cdk-app': [],
  ui: [
    STAGE,
    option('-p, --port <port>', 'the port to listen on', { parse: portNumber, default: 0, defaultText: 'a free one' }),
    option('--host <host>', 'the address to listen on; any other than 127.0.0.1 warns', { default: LOOPBACK }),
    option('--no-open', 'print the address, and do not open the browser'),
    option('--json', 'print the address as one JSON document'),
    ...AWS,
  ],
  releases: STAGE_FLAGS,
  rollback: [
    STAGE,
    option('--to <release>', 'the release to roll back to, or previous', { default: 'previous' }),
    option('--config <which>', "pinned: restore the release's config version; current: keep the live one", {
      parse: oneOf(CONFIG_CHOICES),
      default: 'pinned',
    }),
    option('--reason <text>', 'why, as the ledger records it'),
    option('--run-id <id>', 'the run id (a retry with the same id rolls back once)', { parse: runIdText }),
    option('--force', 'pass --force to the release-phase task (migrate: run although the database is ahead)'),
    option('--dry-run', 'show the plan and the config diff, and move nothing'),
    option('--yes', 'roll back without asking (needed when stdin is not a terminal)'),
    JSON_OUTPUT,
    ...AWS,
  ],
} as const;

/** A command's words, as {@link COMMAND_OPTIONS} keys its flags. */
type CommandName = keyof typeof COMMAND_OPTIONS;

/**
 * The options a command receives, inferred from its flags: e.g.
 * `CommandOptions<'serve'>` is `{ stage: string; port: number; host: string; alias: string; json?: boolean }`.
 */
type CommandOptions<Name extends CommandName> = OptionsOf<(typeof COMMAND_OPTIONS)[Name]>;

export { COMMAND_OPTIONS, LOOPBACK };
export type { CommandName, CommandOptions };
