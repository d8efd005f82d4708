/**
 * The `CNF_*` environment: every variable cnf-admin writes for its own
 * processes (the construct for the functions and container tasks, the local
 * platform for its processes, the admin function for a container task's
 * override) and reads back in the runtime, and the few an operator may set
 * for the CLI. The names live here only; writers and readers go through
 * {@link cnfEnvironment} and {@link readCnfEnvironment}.
 */

/** The name of each `CNF_*` variable, by what it carries. */
const CNF_VARIABLES = {
  /** The app's name (the log lines' service). */
  app: 'CNF_APP',
  /** The stage's name. */
  stage: 'CNF_STAGE',
  /** The release the function or process serves. */
  release: 'CNF_RELEASE',
  /** The SSM path of the stage's parameter set (AWS). */
  parameterPath: 'CNF_PARAMETER_PATH',
  /** The parameter file of the local stage. */
  parameterFile: 'CNF_PARAMETER_FILE',
  /** The run ledger's DynamoDB table (AWS). */
  ledgerTable: 'CNF_LEDGER_TABLE',
  /** The run ledger's directory (the local stage). */
  ledgerDir: 'CNF_LEDGER_DIR',
  /** Whether the stage's console is on (`true`). */
  consoleEnabled: 'CNF_CONSOLE_ENABLED',
  /** The local admin "function"'s timeout in seconds. */
  functionTimeoutSeconds: 'CNF_FUNCTION_TIMEOUT_SECONDS',
  /** How the admin function starts its release's container tasks (JSON, see `ContainerSettings`). */
  containerSettings: 'CNF_CONTAINER',
  /** A container task's log group. */
  logGroup: 'CNF_LOG_GROUP',
  /** A container task's awslogs stream prefix (`task/admin`). */
  logStreamPrefix: 'CNF_LOG_STREAM_PREFIX',
  /** A container task's admin event, as JSON (its RunTask override). */
  adminEvent: 'CNF_ADMIN_EVENT',
  /** A container task's time limit in seconds (its RunTask override). */
  timeLimitSeconds: 'CNF_TIME_LIMIT_SECONDS',
  /** The admin function has claimed the container task's run in the ledger (its RunTask override). */
  runClaimed: 'CNF_RUN_CLAIMED',
  /** Where the run's log is (a local file, or a container task's log stream). */
  runLog: 'CNF_RUN_LOG',
  /** The local process that owns the run (a `RunOwner` as JSON). */
  runOwner: 'CNF_RUN_OWNER',
  /** This process is the container runner (`true`). */
  containerRunner: 'CNF_CONTAINER_RUNNER',
  /** The local run was interrupted before its process started (`true`). */
  interrupted: 'CNF_INTERRUPTED',
  /** This local runner started before its run was known: its run comes on stdin (`true`, see standby-runner.ts). */
  standbyRunner: 'CNF_RUNNER_STANDBY',
  /** An operator's setting: `1` prints stack traces. */
  debug: 'CNF_DEBUG',
  /** An operator's setting: how long an attached invoke on AWS waits for the run's log, in seconds. */
  logWaitSeconds: 'CNF_LOG_WAIT_SECONDS',
  /** An operator's setting: how long a control-plane call waits for AWS, in seconds. */
  awsTimeoutSeconds: 'CNF_AWS_TIMEOUT_SECONDS',
  /** An operator's setting: `nobody` runs the embedded PostgreSQL as nobody instead of in a user namespace, as root. */
  localDbAsRoot: 'CNF_LOCAL_DB_AS_ROOT',
  /** An operator's setting: how long the embedded PostgreSQL idles before it stops, in seconds. */
  localDbIdleSeconds: 'CNF_LOCAL_DB_IDLE_SECONDS',
} as const;

/** What the `CNF_*` environment carries, typed (see {@link CNF_VARIABLES} for each field's variable). */
interface CnfEnvironment {
  readonly app?: string;
  readonly stage?: string;
  readonly release?: string;
  readonly parameterPath?: string;
  readonly parameterFile?: string;
  readonly ledgerTable?: string;
  readonly ledgerDir?: string;
  readonly consoleEnabled?: boolean;
  readonly functionTimeoutSeconds?: number;
  /** JSON (the construct writes it with tokens); `readContainerSettings` parses it. */
  readonly containerSettings?: string;
  readonly logGroup?: string;
  readonly logStreamPrefix?: string;
  /** JSON; the container runner parses it. */
  readonly adminEvent?: string;
  readonly timeLimitSeconds?: number;
  readonly runClaimed?: boolean;
  readonly runLog?: string;
  /** JSON; `process-identity.ts` parses it. */
  readonly runOwner?: string;
  readonly containerRunner?: boolean;
  readonly interrupted?: boolean;
  readonly standbyRunner?: boolean;
  readonly debug?: boolean;
  /** As the operator wrote it; the CLI checks it and names the variable when it is no number. */
  readonly logWaitSeconds?: string;
  /** As the operator wrote it; the AWS platform checks it and names the variable when it is no number. */
  readonly awsTimeoutSeconds?: string;
  readonly localDbAsRoot?: string;
  readonly localDbIdleSeconds?: number;
}

type Field = keyof CnfEnvironment;
type Kind = 'string' | 'boolean' | 'number';

const KINDS: { readonly [F in Field]-?: Kind } = {
  app: 'string',
  stage: 'string',
  release: 'string',
  parameterPath: 'string',
  parameterFile: 'string',
  ledgerTable: 'string',
  ledgerDir: 'string',
  consoleEnabled: 'boolean',
  functionTimeoutSeconds: 'number',
  containerSettings: 'string',
  logGroup: 'string',
  logStreamPrefix: 'string',
  adminEvent: 'string',
  timeLimitSeconds: 'number',
  runClaimed: 'boolean',
  runLog: 'string',
  runOwner: 'string',
  containerRunner: 'boolean',
  interrupted: 'boolean',
  standbyRunner: 'boolean',
  debug: 'boolean',
  logWaitSeconds: 'string',
  awsTimeoutSeconds: 'string',
  localDbAsRoot: 'string',
  localDbIdleSeconds: 'number',
};

/** How a boolean is written; `CNF_DEBUG` is `1` by long use, and `1` reads as true everywhere. */
const TRUE_TEXTS = new Set(['true', '1']);

/**
 * The variables that carry `values`: the one writer of the `CNF_*`
 * environment. Fields left undefined write nothing.
 *
 * @example
 * const environment = cnfEnvironment({ app: 'notes', stage: 'prod', release, parameterPath: '/notes/prod/' });
 */
function cnfEnvironment(values: CnfEnvironment): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [field, value] of Object.entries(values) as [Field, CnfEnvironment[Field]][]) {
    if (value === undefined) continue;
    variables[CNF_VARIABLES[field]] = String(value);
  }
  return variables;
}

/**
 * What `env` carries, typed: the one reader of the `CNF_*` environment. An
 * empty variable reads as unset; a number that is not one above 0 reads as
 * unset too (its reader then takes its default).
 */
function readCnfEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): CnfEnvironment {
  const values: Partial<Record<Field, string | boolean | number>> = {};
  for (const field of Object.keys(KINDS) as Field[]) {
    const text = env[CNF_VARIABLES[field]];
    if (text === undefined || text === '') continue;
    const kind = KINDS[field];
    if (kind === 'string') values[field] = text;
    else if (kind === 'boolean') values[field] = TRUE_TEXTS.has(text);
    else {
      const number = Number(text);
      if (Number.isFinite(number) && number > 0) values[field] = number;
    }
  }
  return values as CnfEnvironment;
}

/** Sets the variables of `values` in `env` (a process's own environment, for what it starts or loads next). */
function writeCnfEnvironment(env: Record<string, string | undefined>, values: CnfEnvironment): void {
  Object.assign(env, cnfEnvironment(values));
}

/** Where a stage's parameter set and ledger are: on AWS, or in the local stage's `.cnf/`. */
type StageStores =
  { readonly parameterPath: string; readonly ledgerTable: string } | { readonly parameterFile: string; readonly ledgerDir: string };

/** What every function and process of a stage's release is told. */
interface StageIdentity {
  readonly app: string;
  readonly stage: string;
  readonly release: string;
}

/**
 * The environment of a stage's web function (or local web process): who it
 * is and where its parameter set is. The admin side adds its ledger with
 * {@link adminEnvironmentOf}.
 */
function webEnvironmentOf(identity: StageIdentity, stores: StageStores): Record<string, string> {
  const { app, stage, release } = identity;
  const parameters = 'parameterPath' in stores ? { parameterPath: stores.parameterPath } : { parameterFile: stores.parameterFile };
  return cnfEnvironment({ app, stage, release, ...parameters });
}

/**
 * The environment of a stage's admin function, container task or local admin
 * process: the web environment plus the run ledger, and whether the console
 * is on when the writer decides it.
 */
function adminEnvironmentOf(
  identity: StageIdentity,
  stores: StageStores,
  extra: Pick<CnfEnvironment, 'consoleEnabled' | 'functionTimeoutSeconds' | 'logGroup' | 'logStreamPrefix'> = {},
): Record<string, string> {
  const ledger = 'ledgerTable' in stores ? { ledgerTable: stores.ledgerTable } : { ledgerDir: stores.ledgerDir };
  return { ...webEnvironmentOf(identity, stores), ...cnfEnvironment({ ...ledger, ...extra }) };
}

export { adminEnvironmentOf, CNF_VARIABLES, cnfEnvironment, readCnfEnvironment, webEnvironmentOf, writeCnfEnvironment };
export type { CnfEnvironment, StageIdentity, StageStores };
