import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Grant, IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type Alias, type Function as LambdaFunction, type Version } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Construct } from 'constructs';
import type { Bundle } from '../bundle/build-bundle.js';
import { DEFAULT_ALIAS } from '../core/platform.js';
import { stageFunctionName } from '../core/function-names.js';
import { releaseDescription, type StageRecord } from '../core/stage-record.js';
import { assertValidAppName, assertValidStageName } from '../core/stage.js';
import type { TaskCatalog, TaskInfo } from '../core/task-catalog.js';
import { AdminSchedules, type AdminScheduleOptions } from './admin-schedules.js';
import { acknowledgeProviderFindings, AdminTestEvents } from './admin-test-events.js';
import { AdminAppPropsError } from './errors.js';
import {
  ADMIN_DEFAULTS,
  resolveFunctionSettings,
  WEB_DEFAULTS,
  type FunctionSettings,
  type ResolvedFunctionSettings,
} from './function-settings.js';
import { AppFunction, logGroupNameOf } from './private/app-function.js';
import { bundleCode } from './private/bundle-code.js';
import { assertArgsFit, catalogTask } from './private/catalog-task.js';
import { grantDeclaredPermissions } from './private/task-permissions.js';
import { ReleasePhase } from './release-phase.js';
import { RunLedgerTable } from './run-ledger-table.js';
import { StageParameters } from './stage-parameters.js';
import { StageRecordParameter } from './stage-record-parameter.js';

/** Props of {@link AdminApp}. */
interface AdminAppProps {
  /** The app name (`context.cnf.app` in `cdk.json`); every resource name derives from app and stage. */
  readonly app: string;
  /** The stage, e.g. `prod`: one stack per stage. */
  readonly stage: string;
  /**
   * The application, built by cnf-admin's bundler (`buildBundle`): the same
   * code the local stage runs, with its release id and task catalog. Both
   * functions deploy it as one asset.
   */
  readonly bundle: Bundle;
  /**
   * Settings of the web function.
   *
   * @default - 512 MiB, Duration.seconds(10), logs kept RetentionDays.ONE_MONTH
   */
  readonly web?: FunctionSettings;
  /**
   * Settings of the admin function.
   *
   * @default - 1024 MiB, Duration.minutes(15), logs kept RetentionDays.THIRTEEN_MONTHS
   */
  readonly admin?: FunctionSettings;
  /**
   * The processor architecture of both functions.
   *
   * @default Architecture.ARM_64
   */
  readonly architecture?: Architecture;
  /**
   * Plain config values of the parameter set, by key: each becomes an SSM
   * String parameter `/<app>/<stage>/<key>`. Keys under `_cnf/` are reserved.
   *
   * @default - no plain values
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * Keys of secret config values: SecureString parameters under the same
   * path, referenced by name and set outside CloudFormation (which cannot
   * create them): `cnf-admin config set <KEY> <value> --secure --stage <stage>`.
   *
   * @default - no secure values
   */
  readonly secureParameters?: readonly string[];
  /**
   * The customer managed KMS key of the SecureStrings; both functions may
   * decrypt with it, through SSM only. The stage record names it, so that
   * `cnf-admin config set --secure` writes with it.
   *
   * @default - the AWS managed key `aws/ssm`, which needs no grant
   */
  readonly parameterKey?: IKey;
  /**
   * The name of the alias pair (`web:<name>` and `admin:<name>`).
   *
   * @default 'live'
   */
  readonly aliasName?: string;
  /**
   * Admin tasks to run on a schedule, against the admin alias.
   *
   * @default - no schedules
   */
  readonly schedules?: readonly AdminScheduleOptions[];
  /**
   * Publish one shareable Lambda console test event per task of the release.
   *
   * @default true
   */
  readonly testEvents?: boolean;
  /**
   * The release phase: a task that the new admin version runs during the
   * deploy, before the aliases move; a non-zero exit code fails the deploy.
   *
   * @default - no release phase
   */
  readonly releaseTask?: string;
  /**
   * Args of the release task.
   *
   * @default - no args
   */
  readonly releaseTaskArgs?: Readonly<Record<string, unknown>>;
  /**
   * Whether `cnf-admin console` may evaluate code on this stage (admin
   * environment `CNF_CONSOLE_ENABLED`, and the stage record).
   *
   * @default false
   */
  readonly console?: boolean;
  /**
   * What the admin tasks need beyond the parameter set, the ledger and what
   * they declare themselves (`options.permissions`, granted from the release's
   * catalog), e.g. access to a bucket this stack creates. (`adminFunction` is
   * also a grantee: `bucket.grantRead(app.adminFunction)`.)
   *
   * @default - nothing more
   */
  readonly adminPolicyStatements?: readonly PolicyStatement[];
  /**
   * What happens to the stage's records, the run ledger table and the two
   * log groups, when they leave the stack. Function versions are always retained.
   *
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE: kept, except when the
   * deploy that created them rolls back (a failed first deploy leaves no
   * named log group behind to block the next one)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The pattern of Lambda alias names (not all digits, which would read as a version). */
const ALIAS_NAME = /^(?!\d+$)[A-Za-z0-9_-]{1,128}$/;

/**
 * A twelve-factor app on Lambda: a web function and an admin function built
 * from one bundle (one asset), versioned per release, with an alias pair that
 * moves together; one parameter set both read; a run ledger; the stage
 * record the CLI reads; and, optionally, scheduled tasks, console test
 * events and a release phase.
 *
 * Function names are `<app>-<stage>-web` and `<app>-<stage>-admin`.
 *
 * @example
 * const bundle = await buildBundle(loadProject(process.cwd()));
 * new AdminApp(stack, 'Notes', {
 *   app: 'notes',
 *   stage: 'prod',
 *   bundle,
 *   releaseTask: 'migrate',
 *   schedules: [{ task: 'notes:purge', args: { olderThanDays: 365 }, schedule: 'rate(1 day)' }],
 *   secureParameters: ['DATABASE_URL'],
 * });
 */
class AdminApp extends Construct {
  /** The release id of the bundle, stamped into both versions and aliases. */
  readonly release: string;
  /** The release's tasks. */
  readonly catalog: TaskCatalog;
  readonly parameters: StageParameters;
  readonly ledger: RunLedgerTable;
  readonly webFunction: LambdaFunction;
  readonly adminFunction: LambdaFunction;
  /** The web function's version of this release. */
  readonly webVersion: Version;
  /** The admin function's version of this release. */
  readonly adminVersion: Version;
  readonly webAlias: Alias;
  readonly adminAlias: Alias;
  readonly stageRecord: StageRecordParameter;
  /** The scheduled tasks, when there are any. */
  readonly schedules: AdminSchedules | undefined;
  /** The console test events, unless switched off. */
  readonly testEvents: AdminTestEvents | undefined;
  /** The release phase, when there is a release task. */
  readonly releasePhase: ReleasePhase | undefined;

  constructor(scope: Construct, id: string, props: AdminAppProps) {
    super(scope, id);
    // Checked before anything is built, so that bad props fail fast and name themselves.
    const checked = checkProps(props);
    const { app, stage, bundle } = props;
    this.release = bundle.release;
    this.catalog = bundle.catalog;

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.parameters = new StageParameters(this, 'Parameters', {
      app,
      stage,
      ...(props.parameters === undefined ? {} : { values: props.parameters }),
      ...(props.secureParameters === undefined ? {} : { secureKeys: props.secureParameters }),
      ...(props.parameterKey === undefined ? {} : { encryptionKey: props.parameterKey }),
    });
    this.ledger = new RunLedgerTable(this, 'Ledger', { removalPolicy });

    const { web, admin } = this.addFunctions(props, checked, removalPolicy);
    this.webFunction = web.function;
    this.adminFunction = admin.function;
    this.webVersion = web.version;
    this.adminVersion = admin.version;
    this.webAlias = web.alias;
    this.adminAlias = admin.alias;
    this.grantAccess(props, admin);

    this.schedules = this.addSchedules(props);
    // Async invocations (the schedules') never retry; a run that crashes lands with the undelivered ones.
    this.adminAlias.configureAsyncInvoke({
      retryAttempts: 0,
      ...(this.schedules === undefined ? {} : { onFailure: new SqsDestination(this.schedules.deadLetterQueue) }),
    });
    this.testEvents =
      props.testEvents === false
        ? undefined
        : new AdminTestEvents(this, 'TestEvents', {
            functionName: stageFunctionName(props.app, props.stage, 'admin'),
            catalog: bundle.catalog,
          });
    this.releasePhase = checked.releaseTask === undefined ? undefined : this.addReleasePhase(props, checked.releaseTask, checked.admin);
    this.stageRecord = this.addStageRecord(props, checked);

    this.acknowledgeFindings([web, admin]);
  }

  /** Lets `grantee` invoke any version of the admin function, as `cnf-admin invoke` does. */
  grantInvokeAdmin(grantee: IGrantable): Grant {
    return this.adminFunction.grantInvoke(grantee);
  }

  /** Lets `grantee` invoke the web alias, e.g. an API's integration role. */
  grantInvokeWeb(grantee: IGrantable): Grant {
    return this.webAlias.grantInvoke(grantee);
  }

  /** The two functions on one asset, each with its version of the release and its alias. */
  private addFunctions(props: AdminAppProps, checked: CheckedProps, logRemovalPolicy: RemovalPolicy) {
    const { app, stage, bundle } = props;
    // One Code instance for both functions: one asset, one S3 object per release.
    const common = {
      code: bundleCode(this, bundle),
      architecture: props.architecture ?? Architecture.ARM_64,
      releaseDescription: releaseDescription(bundle.release),
      aliasName: checked.aliasName,
      logRemovalPolicy,
    };
    const environment = {
      NODE_OPTIONS: '--enable-source-maps',
      CNF_APP: app,
      CNF_STAGE: stage,
      CNF_RELEASE: bundle.release,
      CNF_PARAMETER_PATH: this.parameters.path,
    };
    const web = new AppFunction(this, 'Web', {
      ...common,
      functionName: stageFunctionName(props.app, props.stage, 'web'),
      handler: 'web.handler',
      settings: checked.web,
      environment,
      purpose: `${app} ${stage} web (cnf-admin)`,
    });
    const admin = new AppFunction(this, 'Admin', {
      ...common,
      functionName: stageFunctionName(props.app, props.stage, 'admin'),
      handler: 'admin.handler',
      settings: checked.admin,
      environment: {
        ...environment,
        CNF_LEDGER_TABLE: this.ledger.tableName,
        CNF_CONSOLE_ENABLED: String(props.console ?? false),
      },
      purpose: `${app} ${stage} admin tasks (cnf-admin)`,
      // A failed migration must never silently run again.
      retryAttempts: 0,
    });
    return { web, admin };
  }

  /** Both functions read the parameter set; admin also keeps the ledger, and gets what its tasks declare and the props add. */
  private grantAccess(props: AdminAppProps, admin: AppFunction): void {
    this.parameters.grantRead(this.webFunction);
    this.parameters.grantRead(this.adminFunction);
    this.ledger.grantWriteRuns(this.adminFunction);
    for (const statement of props.adminPolicyStatements ?? []) this.adminFunction.addToRolePolicy(statement);
    grantDeclaredPermissions(admin.role, props.bundle.catalog);
  }

  private addSchedules(props: AdminAppProps): AdminSchedules | undefined {
    if (props.schedules === undefined || props.schedules.length === 0) return undefined;
    return new AdminSchedules(this, 'Schedules', {
      app: props.app,
      stage: props.stage,
      target: this.adminAlias,
      release: props.bundle.release,
      catalog: props.bundle.catalog,
      schedules: props.schedules,
    });
  }

  private addReleasePhase(props: AdminAppProps, task: TaskInfo, admin: ResolvedFunctionSettings): ReleasePhase {
    const releasePhase = new ReleasePhase(this, 'ReleasePhase', {
      version: this.adminVersion,
      release: props.bundle.release,
      task: task.name,
      ...(props.releaseTaskArgs === undefined ? {} : { args: props.releaseTaskArgs }),
      functionTimeout: admin.timeout,
      ...(task.timeoutSeconds === undefined ? {} : { taskTimeout: Duration.seconds(Math.ceil(task.timeoutSeconds)) }),
    });
    // The task reads the parameter set; the aliases move only once it has succeeded.
    releasePhase.resource.node.addDependency(this.parameters);
    this.webAlias.node.addDependency(releasePhase.resource);
    this.adminAlias.node.addDependency(releasePhase.resource);
    return releasePhase;
  }

  private addStageRecord(props: AdminAppProps, checked: CheckedProps): StageRecordParameter {
    const webName = stageFunctionName(props.app, props.stage, 'web');
    const adminName = stageFunctionName(props.app, props.stage, 'admin');
    const record: StageRecord = {
      version: 1,
      app: props.app,
      stage: props.stage,
      region: Stack.of(this).region,
      aliasName: checked.aliasName,
      parameterPath: this.parameters.path,
      web: { functionName: webName, logGroup: logGroupNameOf(webName) },
      admin: { functionName: adminName, logGroup: logGroupNameOf(adminName), timeoutSeconds: checked.admin.timeout.toSeconds() },
      ledgerTable: this.ledger.tableName,
      console: props.console ?? false,
      ...(props.parameterKey === undefined ? {} : { parameterKey: props.parameterKey.keyArn }),
    };
    const stageRecord = new StageRecordParameter(this, 'StageRecord', { record });
    // The record says the stage is ready: it is written once the aliases are in place.
    stageRecord.node.addDependency(this.webAlias, this.adminAlias);
    return stageRecord;
  }

  /** Acknowledges, with its reason, each cdk-nag finding that is intended. */
  private acknowledgeFindings(functions: readonly AppFunction[]): void {
    const pathArn = `arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${this.parameters.path}*`;
    for (const fn of functions) {
      Validations.of(fn).acknowledge(
        {
          id: `AwsSolutions-IAM5[Resource::${pathArn}]`,
          reason:
            'The parameter set is everything under its path: the config loader reads the path recursively, and a parameter added with `cnf-admin config set` must be readable without a deploy. The grant stops at the path.',
        },
        {
          id: 'AwsSolutions-L1',
          reason: 'cnf-admin targets nodejs22.x: the bundler builds for node22, and the local stage runs the same Node major.',
        },
      );
    }
    if (this.schedules !== undefined) {
      Validations.of(this.schedules.deadLetterQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          "This queue is itself a dead-letter queue, EventBridge Scheduler's and the admin alias's, which cdk-nag cannot see (it only knows SQS redrive policies).",
      });
    }
    if (this.testEvents !== undefined) acknowledgeProviderFindings(Stack.of(this));
  }
}

/** Props checked before anything is built, with their defaults filled in. */
interface CheckedProps {
  readonly aliasName: string;
  readonly web: ResolvedFunctionSettings;
  readonly admin: ResolvedFunctionSettings;
  readonly releaseTask: TaskInfo | undefined;
}

/**
 * Checks the props that can be checked before anything is built.
 *
 * @throws AdminAppPropsError (or UnknownTaskError) naming the prop and its value.
 */
function checkProps(props: AdminAppProps): CheckedProps {
  assertValidAppName(props.app);
  assertValidStageName(props.stage);
  const aliasName = props.aliasName ?? DEFAULT_ALIAS;
  if (!ALIAS_NAME.test(aliasName)) {
    throw new AdminAppPropsError(`aliasName must be 1-128 letters, digits, '-' or '_', not all digits, got: ${JSON.stringify(aliasName)}`);
  }
  const web = resolveFunctionSettings(props.web, WEB_DEFAULTS, 'web');
  const admin = resolveFunctionSettings(props.admin, ADMIN_DEFAULTS, 'admin');
  const { bundle } = props;
  const releaseTask =
    props.releaseTask === undefined ? undefined : catalogTask(bundle.catalog, bundle.release, props.releaseTask, 'releaseTask');
  if (releaseTask !== undefined) assertArgsFit(releaseTask, props.releaseTaskArgs ?? {}, 'releaseTaskArgs');
  if (releaseTask === undefined && props.releaseTaskArgs !== undefined) {
    throw new AdminAppPropsError(
      `releaseTaskArgs is set, but releaseTask is not: ${JSON.stringify(props.releaseTaskArgs)} would never be used.`,
    );
  }
  return { aliasName, web, admin, releaseTask };
}

export { AdminApp };
export type { AdminAppProps };
