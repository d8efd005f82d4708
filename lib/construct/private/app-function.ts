import { RemovalPolicy } from 'aws-cdk-lib';
import { LAMBDA_NODE_RUNTIME } from '../../core/node-runtime.js';
import { functionLogGroupName } from '../../core/stage-names.js';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Alias,
  EventInvokeConfig,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  RuntimeFamily,
  type Architecture,
  type Code,
  type Version,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ResolvedFunctionSettings } from '../function-settings.js';

/** Props of {@link AppFunction}. */
interface AppFunctionProps {
  readonly functionName: string;
  /** The handler in the bundle root, e.g. `web.handler`. */
  readonly handler: string;
  readonly code: Code;
  readonly settings: ResolvedFunctionSettings;
  readonly architecture: Architecture;
  readonly environment: Readonly<Record<string, string>>;
  /** What the function is, for its description. */
  readonly purpose: string;
  /** The description of the version and the alias: it names the release. */
  readonly releaseDescription: string;
  readonly aliasName: string;
  /** The removal policy of the log group. */
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * Asynchronous retries of the function ($LATEST) and of each version.
   *
   * @default - Lambda's default (2)
   */
  readonly retryAttempts?: number;
}

/** The Lambda runtime both functions run on; the bundler targets the same Node major. */
const RUNTIME = new Runtime(LAMBDA_NODE_RUNTIME, RuntimeFamily.NODEJS, { supportsInlineCode: true });

/**
 * One of the two functions of an admin app: its own role and log group, the
 * function, the version of the current release, and the alias.
 *
 * The version is the function's `currentVersion`: its logical id is a hash
 * of the function's configuration, which holds the code (the release) and
 * `CNF_RELEASE`. A new release publishes a new version; so does a change of
 * memory or timeout, which a version snapshots (an old version would keep
 * the old setting behind the alias). Versions are retained, so an old release
 * stays invocable; only a version whose deploy rolled back (its release never
 * went live) is removed (`DeletionPolicy: RetainExceptOnCreate`).
 */
class AppFunction extends Construct {
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly function: LambdaFunction;
  readonly version: Version;
  readonly alias: Alias;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    // An own role instead of Lambda's default: no managed policy, logs only to this function's group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: functionLogGroupName(props.functionName),
      retention: props.settings.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new LambdaFunction(this, 'Resource', {
      functionName: props.functionName,
      description: props.purpose,
      runtime: RUNTIME,
      architecture: props.architecture,
      handler: props.handler,
      code: props.code,
      role: this.role,
      memorySize: props.settings.memorySize,
      timeout: props.settings.timeout,
      environment: { ...props.environment },
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      ...(props.retryAttempts === undefined ? {} : { retryAttempts: props.retryAttempts }),
      currentVersionOptions: {
        description: props.releaseDescription,
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        ...(props.retryAttempts === undefined ? {} : { retryAttempts: props.retryAttempts }),
      },
    });
    this.version = this.function.currentVersion;
    // The version's async settings are retained with it, so an old version keeps retries at 0.
    const versionInvokeConfig = this.version.node.tryFindChild('EventInvokeConfig');
    if (versionInvokeConfig instanceof EventInvokeConfig) versionInvokeConfig.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    this.alias = new Alias(this, 'Alias', {
      aliasName: props.aliasName,
      version: this.version,
      description: props.releaseDescription,
    });
  }
}

export { AppFunction, RUNTIME };
export type { AppFunctionProps };
