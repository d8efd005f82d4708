import { join } from 'node:path';
import { ALIAS_NAME_RULE, isAliasName } from '../core/alias-name.js';
import { LAMBDA_NODE_RUNTIME, NODE_TARGET } from '../core/node-runtime.js';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type Alias, type Function as LambdaFunction, type Version } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Construct, type IConstruct } from 'constructs';
import { Effect, Grant, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { buildBundleSync } from '../bundle/build-bundle-sync.js';
import { stageBundle, type StagedBundle } from '../bundle/stage-bundle.js';
import type { BundleFile } from '../core/release.js';
import { findProject, PROJECT_FILE, type Project } from '../core/project.js';
import { operatorPolicy } from '../core/operator-permissions.js';
import { DEFAULT_ALIAS } from '../core/platform.js';
import { functionLogGroupName, stageFunctionName } from '../core/stage-names.js';
import { releaseDescription, type StageRecord } from '../core/stage-record.js';
import { assertValidAppName, assertValidStageName } from '../core/stage.js';
import type { TaskCatalog, TaskInfo } from '../core/task-catalog.js';
import { AdminSchedules, type AdminScheduleOptions } from './admin-schedules.js';
import { acknowledgeProviderFindings, AdminTestEvents } from './admin-test-events.js';
import { ConstructValidationError } from './errors.js';
import {
  ADMIN_DEFAULTS,
  resolveFunctionSettings,
  WEB_DEFAULTS,
  type FunctionSettings,
  type ResolvedFunctionSettings,
} from './function-settings.js';
import { AppFunction } from './private/app-function.js';
import { LiveAliasGuard } from './private/live-alias-guard.js';
import { assetOutdirOf, bundleCode } from './private/bundle-code.js';
import { assertArgsFit, catalogTask } from './private/catalog-task.js';
import { grantDeclaredPermissions } from './private/task-permissions.js';
import { assertTaskRuntimes } from './private/task-runtimes.js';
import type { ContainerTasks, ContainerTasksOptions } from './container-tasks.js';
import { addContainerTasks } from './private/admin-container-tasks.js';
import { DeployedConfig } from './deployed-config.js';
import { ReleasePhase } from './release-phase.js';
import { RunLedgerTable } from './run-ledger-table.js';
import { StageParameters } from './stage-parameters.js';
import { StageRecordParameter } from './stage-record-parameter.js';
import { adminEnvironmentOf, webEnvironmentOf } from '../core/cnf-environment.js';

/** The context key that names the stage: `npx cdk synth -c stage=prod`. */
const STAGE_CONTEXT_KEY = 'stage';

/**
 * The release phase of {@link AdminAppProps}: the task the new admin version
 * runs before the aliases move, and its args.
 *
 * @example
 * const releasePhase: ReleasePhaseOptions = { task: 'migrate', args: { force: false } };
 */
interface ReleasePhaseOptions {
  /** The task's name; it must be in the release and run on Lambda. */
  readonly task: string;
  /**
   * Its args, checked against the task's schema at synth.
   *
   * @default - no args
   */
  readonly args?: Readonly<Record<string, unknown>>;
}

/** Props of {@link AdminApp}. */
interface AdminAppProps {
  /**
   * The app name; every resource name derives from app and stage.
   *
   * @default - `context.cnf.app` in the project's `cdk.json`
   */
  readonly app?: string;
  /**
   * The stage, e.g. `prod`: one stack per stage. `cnf-admin` reaches it when
   * the project's `cdk.json` declares it under `context.cnf.stages`.
   *
   * @default - the CDK context value `stage` (`npx cdk synth -c stage=prod`)
   */
  readonly stage?: string;
  /**
   * The directory of the project: the one with the `cdk.json` whose
   * `context.cnf` names the app and its layout.
   *
   * @default - the nearest directory at or above the working directory with a `cdk.json`
   */
  readonly projectDir?: string;
  /**
   * The application, built by cnf-admin's bundler: the same code the local
   * stage runs, with its release id and task catalog. Both functions deploy
   * it as one asset.
   *
   * @default - built from the project at synth, with local esbuild (never
   * Docker), into the app's output directory: the same bundle and release id
   * as `cnf-admin deploy --stage local`
   */
  readonly bundle?: PrebuiltBundle;
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
   * The release phase: a task (with its args) that the new admin version
   * runs during the deploy, before the aliases move; a non-zero exit code
   * fails the deploy.
   *
   * @example { task: 'migrate' }
   * @default - no release phase
   */
  readonly releasePhase?: ReleasePhaseOptions;
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
  /**
   * Where the release's container tasks (`runtime: 'container'`) run on ECS
   * Fargate: the VPC, subnets and security groups (no default opens
   * anything), and optionally a cluster, CPU and memory.
   *
   * @default - no container tasks: a release that has some gets a synth warning, and the CLI refuses them
   */
  readonly containerTasks?: ContainerTasksOptions;
}

/**
 * A bundle built by hand with `buildBundle` from `cnf-admin/bundle`: its
 * files, release id and task catalog, which both functions deploy as one asset.
 *
 * @example
 * const bundle: PrebuiltBundle = await buildBundle(loadProject(process.cwd()));
 */
interface PrebuiltBundle {
  /** Every file, paths relative to the bundle root, sorted. */
  readonly files: readonly BundleFile[];
  /** `r-` and 12 hex digits, over all files. */
  readonly release: string;
  /** The tasks of the bundle. */
  readonly catalog: TaskCatalog;
}

/** The pattern of Lambda alias names (not all digits, which would read as a version). */

/**
 * A twelve-factor app on Lambda: a web function and an admin function built
 * from one bundle (one asset), versioned per release, with an alias pair that
 * moves together; one parameter set both read; a run ledger; the stage
 * record the CLI reads; and, optionally, scheduled tasks, console test
 * events and a release phase.
 *
 * Function names are `<app>-<stage>-web` and `<app>-<stage>-admin`.
 *
 * The bundle is built at synth from the project (the nearest `cdk.json`),
 * the app name comes from its `context.cnf.app` and the stage from
 * `-c stage=<name>`, unless the props give them.
 *
 * @example
 * // In a stack of an existing CDK app: `npx cdk synth -c stage=prod`
 * const admin = new AdminApp(stack, 'Admin', {
 *   releasePhase: { task: 'db:migrate' },
 *   schedules: [{ task: 'reports:send', schedule: 'rate(1 day)' }],
 *   secureParameters: ['DATABASE_URL'],
 * });
 * admin.grantInvokeWeb(api.role);
 * admin.grantOperate(deployRole);
 */
class AdminApp extends Construct {
  /** The release id of the bundle, stamped into both versions and aliases. */
  readonly release: string;
  /** The release's tasks. */
  readonly catalog: TaskCatalog;
  /** The app name. */
  readonly app: string;
  /** The admin function's log group: every run's log. */
  readonly adminLogGroup: ILogGroup;
  /** The stage. */
  readonly stage: string;
  /** The stage's parameter set, which both functions read. */
  readonly parameters: StageParameters;
  /** The run ledger: every admin run and the task locks. */
  readonly ledger: RunLedgerTable;
  /** The web function, `<app>-<stage>-web`. */
  readonly webFunction: LambdaFunction;
  /** The admin function, `<app>-<stage>-admin`, which runs the tasks. */
  readonly adminFunction: LambdaFunction;
  /** The web function's version of this release. */
  readonly webVersion: Version;
  /** The admin function's version of this release. */
  readonly adminVersion: Version;
  /** The web function's alias (`aliasName`) on this release's version: what serves traffic. */
  readonly webAlias: Alias;
  /** The admin function's alias (`aliasName`) on this release's version: what the schedules and the CLI invoke. */
  readonly adminAlias: Alias;
  /** The stage record the CLI reads, at `/<app>/<stage>/_cnf/stage`. */
  readonly stageRecord: StageRecordParameter;
  /** The scheduled tasks, when there are any. */
  readonly schedules: AdminSchedules | undefined;
  /** The console test events, unless switched off. */
  readonly testEvents: AdminTestEvents | undefined;
  /** The release phase, when there is a release task. */
  readonly releasePhase: ReleasePhase | undefined;
  /** What makes a config version of a deploy that changes declared plain values; absent without declared values. */
  readonly deployedConfig: DeployedConfig | undefined;
  /** The ECS cluster and task definition of the release's container tasks, when it has some and `containerTasks` is set. */
  readonly containerTasks: ContainerTasks | undefined;

  constructor(scope: Construct, id: string, props: AdminAppProps = {}) {
    super(scope, id);
    // Checked before anything is built, so that bad props fail fast and name themselves.
    const { app, stage, project } = resolveNames(this, props);
    const settings = checkProps(this, props);
    const bundle = stageBundleOf(this, props, project);
    const resolved: ResolvedProps = { ...props, app, stage, bundle };
    const checked = { ...settings, releaseTask: checkReleaseTask(this, resolved) };
    this.app = app;
    this.stage = stage;
    this.release = bundle.release;
    this.catalog = bundle.catalog;

    const removalPolicy = resolved.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.parameters = new StageParameters(this, 'Parameters', {
      app,
      stage,
      ...(resolved.parameters === undefined ? {} : { values: resolved.parameters }),
      ...(resolved.secureParameters === undefined ? {} : { secureKeys: resolved.secureParameters }),
      ...(resolved.parameterKey === undefined ? {} : { encryptionKey: resolved.parameterKey }),
    });
    this.ledger = new RunLedgerTable(this, 'Ledger', { removalPolicy });

    const { web, admin } = this.addFunctions(resolved, checked, removalPolicy);
    this.webFunction = web.function;
    this.adminFunction = admin.function;
    this.webVersion = web.version;
    this.adminVersion = admin.version;
    this.webAlias = web.alias;
    this.adminAlias = admin.alias;
    this.adminLogGroup = admin.logGroup;
    const guard = new LiveAliasGuard(this, 'LiveAliasGuard', {
      stage,
      release: bundle.release,
      aliasName: checked.aliasName,
      web,
      admin,
      ledger: this.ledger,
    });
    this.grantAccess(resolved, admin);
    this.containerTasks = addContainerTasks(this, {
      ...resolved,
      ...(resolved.releasePhase === undefined ? {} : { releaseTask: resolved.releasePhase.task }),
      parameters: this.parameters,
      ledger: this.ledger,
      adminFunction: this.adminFunction,
    });

    this.schedules = this.addSchedules(resolved);
    // Async invocations (the schedules') never retry; a run that crashes lands with the undelivered ones.
    this.adminAlias.configureAsyncInvoke({
      retryAttempts: 0,
      ...(this.schedules === undefined ? {} : { onFailure: new SqsDestination(this.schedules.deadLetterQueue) }),
    });
    this.testEvents =
      resolved.testEvents === false
        ? undefined
        : new AdminTestEvents(this, 'TestEvents', {
            functionName: stageFunctionName(resolved.app, resolved.stage, 'admin'),
            catalog: bundle.catalog,
          });
    this.deployedConfig = this.addDeployedConfig(resolved);
    // The guard looks at the stage lock first; the deployed config then takes it, so the two never meet.
    this.deployedConfig?.resource.node.addDependency(guard.resource);
    this.releasePhase =
      checked.releaseTask === undefined ? undefined : this.addReleasePhase(resolved, checked.releaseTask, checked.admin, guard);
    this.stageRecord = this.addStageRecord(resolved, checked);

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

  /** Lets `grantee` read the stage's parameter set, as both functions do (and decrypt it, through SSM, with its key). */
  grantReadConfig(grantee: IGrantable): Grant {
    return this.parameters.grantRead(grantee);
  }

  /** Lets `grantee` read the run ledger: who ran what, on which release, with which outcome. */
  grantReadRuns(grantee: IGrantable): Grant {
    return this.ledger.grantReadRuns(grantee);
  }

  /**
   * Lets `grantee` (an operator's or a CI job's role) use every `cnf-admin`
   * command on this stage: read the stage record, the aliases and the
   * releases; invoke the admin function (which also starts, stops and
   * settles container runs: no `ecs:RunTask`, no `iam:PassRole`); read its
   * run logs; read and change the parameter set (never its reserved `_cnf/`
   * keys); read the run ledger; watch the stage's container tasks.
   * `cnf-admin policy --stage <stage>` prints the same: both render the one
   * operator permission set (`lib/core/operator-permissions.ts`).
   */
  grantOperate(grantee: IGrantable): Grant {
    const stack = Stack.of(this);
    const { record } = this.stageRecord;
    const container = this.containerTasks;
    // The cluster's ARN is a deploy-time token: give the policy one whose name part it can read.
    const cluster =
      container === undefined
        ? undefined
        : stack.formatArn({ service: 'ecs', resource: 'cluster', resourceName: container.cluster.clusterName });
    const document = operatorPolicy({
      partition: stack.partition,
      account: stack.account,
      record: record.container === undefined || cluster === undefined ? record : { ...record, container: { ...record.container, cluster } },
    });
    const grants = document.Statement.flatMap((statement) => {
      // A deny is no grant; it only keeps what an allow would give too much of.
      if (statement.Effect === 'Deny') {
        grantee.grantPrincipal.addToPrincipalPolicy(
          new PolicyStatement({
            sid: statement.Sid,
            effect: Effect.DENY,
            actions: [...statement.Action],
            resources: [...statement.Resource],
          }),
        );
        return [];
      }
      return [
        Grant.addToPrincipal({
          grantee,
          actions: [...statement.Action],
          resourceArns: [...statement.Resource],
          ...(statement.Condition === undefined ? {} : { conditions: statement.Condition as Record<string, Record<string, unknown>> }),
        }),
      ];
    });
    return grants.reduce((all, grant) => all.combine(grant));
  }

  /** The two functions on one asset, each with its version of the release and its alias. */
  private addFunctions(props: ResolvedProps, checked: CheckedProps, logRemovalPolicy: RemovalPolicy) {
    const { app, stage, bundle } = props;
    // One Code instance for both functions: one asset, one S3 object per release.
    const common = {
      code: bundleCode(bundle),
      architecture: props.architecture ?? Architecture.ARM_64,
      releaseDescription: releaseDescription(bundle.release),
      aliasName: checked.aliasName,
      logRemovalPolicy,
    };
    const identity = { app, stage, release: bundle.release };
    const stores = { parameterPath: this.parameters.path, ledgerTable: this.ledger.tableName };
    const environment = { NODE_OPTIONS: '--enable-source-maps', ...webEnvironmentOf(identity, stores) };
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
        NODE_OPTIONS: environment.NODE_OPTIONS,
        ...adminEnvironmentOf(identity, stores, { consoleEnabled: props.console ?? false }),
      },
      purpose: `${app} ${stage} admin tasks (cnf-admin)`,
      // A failed migration must never silently run again.
      retryAttempts: 0,
    });
    return { web, admin };
  }

  /** Both functions read the parameter set; admin also keeps the ledger, and gets what its tasks declare and the props add. */
  private grantAccess(props: ResolvedProps, admin: AppFunction): void {
    this.parameters.grantRead(this.webFunction);
    this.parameters.grantRead(this.adminFunction);
    this.ledger.grantWriteRuns(this.adminFunction);
    for (const statement of props.adminPolicyStatements ?? []) this.adminFunction.addToRolePolicy(statement);
    grantDeclaredPermissions(this, admin.role, props.bundle.catalog);
  }

  private addSchedules(props: ResolvedProps): AdminSchedules | undefined {
    if (props.schedules === undefined || props.schedules.length === 0) return undefined;
    return new AdminSchedules(this, 'Schedules', {
      ...(this.containerTasks === undefined ? {} : { containerTasks: this.containerTasks }),
      app: props.app,
      stage: props.stage,
      target: this.adminAlias,
      release: props.bundle.release,
      catalog: props.bundle.catalog,
      schedules: props.schedules,
    });
  }

  private addReleasePhase(props: ResolvedProps, task: TaskInfo, admin: ResolvedFunctionSettings, guard: LiveAliasGuard): ReleasePhase {
    const releasePhase = new ReleasePhase(this, 'ReleasePhase', {
      version: this.adminVersion,
      release: props.bundle.release,
      task: task.name,
      ...(props.releasePhase?.args === undefined ? {} : { args: props.releasePhase.args }),
      functionTimeout: admin.timeout,
      ...(task.timeoutSeconds === undefined ? {} : { taskTimeout: Duration.seconds(Math.ceil(task.timeoutSeconds)) }),
    });
    // The task reads the parameter set (and the deploy's config version); the aliases move only once it has succeeded.
    releasePhase.resource.node.addDependency(this.parameters, ...(this.deployedConfig === undefined ? [] : [this.deployedConfig.resource]));
    // A deploy the guard refuses (a rollback holds the stage lock) runs no release task.
    releasePhase.resource.node.addDependency(guard.resource);
    this.webAlias.node.addDependency(releasePhase.resource);
    this.adminAlias.node.addDependency(releasePhase.resource);
    return releasePhase;
  }

  /** A deploy that changes declared plain values makes a config version; the aliases move once it is live. */
  private addDeployedConfig(props: ResolvedProps): DeployedConfig | undefined {
    if (props.parameters === undefined || Object.keys(props.parameters).length === 0) return undefined;
    const deployed = new DeployedConfig(this, 'DeployedConfig', {
      parameters: this.parameters,
      ledger: this.ledger,
      values: props.parameters,
      stage: props.stage,
    });
    this.webAlias.node.addDependency(deployed.resource);
    this.adminAlias.node.addDependency(deployed.resource);
    return deployed;
  }

  private addStageRecord(props: ResolvedProps, checked: CheckedProps): StageRecordParameter {
    const webName = stageFunctionName(props.app, props.stage, 'web');
    const adminName = stageFunctionName(props.app, props.stage, 'admin');
    const record: StageRecord = {
      version: 1,
      app: props.app,
      stage: props.stage,
      region: Stack.of(this).region,
      aliasName: checked.aliasName,
      parameterPath: this.parameters.path,
      web: { functionName: webName, logGroup: functionLogGroupName(webName) },
      admin: { functionName: adminName, logGroup: functionLogGroupName(adminName), timeoutSeconds: checked.admin.timeout.toSeconds() },
      ledgerTable: this.ledger.tableName,
      console: props.console ?? false,
      ...(props.parameterKey === undefined ? {} : { parameterKey: props.parameterKey.keyArn }),
      ...(this.containerTasks === undefined ? {} : { container: this.containerTasks.record }),
      stack: Stack.of(this).stackName,
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
          reason: `cnf-admin targets ${LAMBDA_NODE_RUNTIME}: the bundler builds for ${NODE_TARGET}, and the local stage runs the same Node major.`,
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

/** The props with the app, the stage and the staged bundle known. */
type ResolvedProps = Omit<AdminAppProps, 'app' | 'stage' | 'bundle'> & {
  readonly app: string;
  readonly stage: string;
  readonly bundle: StagedBundle;
};

/** Props checked, with their defaults filled in. */
interface CheckedProps {
  readonly aliasName: string;
  readonly web: ResolvedFunctionSettings;
  readonly admin: ResolvedFunctionSettings;
  readonly releaseTask: TaskInfo | undefined;
}

/**
 * The app and the stage, from the props or else from the project's
 * `cdk.json` and the CDK context; and the project, when it had to be found
 * (for a name, or to build the bundle).
 *
 * @throws ConstructValidationError naming what is missing or wrong.
 */
function resolveNames(scope: Construct, props: AdminAppProps): { app: string; stage: string; project: Project | undefined } {
  const project = props.app === undefined || props.bundle === undefined ? findProject(props.projectDir ?? process.cwd()) : undefined;
  const app = props.app ?? (project as Project).app;
  assertValidAppName(app);
  const awsStages = project === undefined ? [] : [...project.stages.values()].filter((stage) => stage.platform === 'aws');
  const known = `The AWS stages of ${project === undefined ? 'the project' : join(project.root, PROJECT_FILE)}: ${awsStages.map((stage) => stage.name).join(', ') || '(none)'}.`;
  const stage: unknown = props.stage ?? scope.node.tryGetContext(STAGE_CONTEXT_KEY);
  if (stage === undefined) {
    throw new ConstructValidationError(scope, `no stage given. ${known}`, {
      hint: `Name one with -c, e.g. npx cdk synth -c ${STAGE_CONTEXT_KEY}=${awsStages[0]?.name ?? 'prod'}, or set the stage prop.`,
    });
  }
  assertValidStageName(stage);
  if (project !== undefined && !awsStages.some((declared) => declared.name === stage)) {
    throw new ConstructValidationError(scope, `stage ${JSON.stringify(stage)} is not an AWS stage of the project. ${known}`, {
      hint: `Declare it in cdk.json, e.g. "context": { "cnf": { "stages": { "${stage}": { "platform": "aws" } } } }, so that cnf-admin can reach it.`,
    });
  }
  return { app, stage, project };
}

/*
 * The bundles an app has built, by project root and output directory: a CDK
 * app with a stack per stage builds its one bundle once. The sources do not
 * change while an app synthesises; a new App (a test's, a watch's) builds anew.
 */
const builtBundles = new WeakMap<IConstruct, Map<string, StagedBundle>>();

/** The bundle, staged in the app's output directory: the one given, or the project's, built now. */
function stageBundleOf(scope: Construct, props: AdminAppProps, project: Project | undefined): StagedBundle {
  const outdir = assetOutdirOf(scope);
  if (props.bundle !== undefined) return stageBundle(outdir, props.bundle);
  const root = (project as Project).root;
  const key = JSON.stringify([root, outdir]);
  const app = scope.node.root;
  const built = builtBundles.get(app) ?? new Map<string, StagedBundle>();
  builtBundles.set(app, built);
  const staged = built.get(key) ?? buildBundleSync(root, outdir);
  built.set(key, staged);
  return staged;
}

/**
 * Checks the props that can be checked before anything is built.
 *
 * @throws ConstructValidationError naming the prop and its value.
 */
function checkProps(scope: Construct, props: AdminAppProps): Omit<CheckedProps, 'releaseTask'> {
  const aliasName = props.aliasName ?? DEFAULT_ALIAS;
  if (!isAliasName(aliasName)) {
    throw new ConstructValidationError(scope, `aliasName must be ${ALIAS_NAME_RULE}, got: ${JSON.stringify(aliasName)}`);
  }
  const web = resolveFunctionSettings(scope, props.web, WEB_DEFAULTS, 'web');
  const admin = resolveFunctionSettings(scope, props.admin, ADMIN_DEFAULTS, 'admin');
  return { aliasName, web, admin };
}

/**
 * Checks the release phase's task and args against the release's catalog.
 *
 * @throws ConstructValidationError naming the task or its args.
 */
function checkReleaseTask(scope: Construct, props: ResolvedProps): TaskInfo | undefined {
  const { bundle } = props;
  assertTaskRuntimes(scope, bundle.catalog, bundle.release);
  if (props.releasePhase === undefined) return undefined;
  const releaseTask = catalogTask(scope, bundle.catalog, bundle.release, props.releasePhase.task, 'releasePhase.task');
  assertArgsFit(scope, releaseTask, props.releasePhase.args ?? {}, 'releasePhase.args');
  return releaseTask;
}

export { AdminApp, STAGE_CONTEXT_KEY };
export type { AdminAppProps, PrebuiltBundle, ReleasePhaseOptions };
