import { LAMBDA_NODE_RUNTIME } from '../core/node-runtime.js';
import { Aws, CustomResource, Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, LoggingFormat, type IVersion } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConstructValidationError } from './errors.js';
import { RUNTIME } from './private/app-function.js';
import { inlineHandlerCode } from './private/inline-handler.js';

/** Props of {@link ReleasePhase}. */
interface ReleasePhaseProps {
  /** The admin version of the release being deployed: the release phase runs the task on it. */
  readonly version: IVersion;
  /** The release being deployed. */
  readonly release: string;
  /** The task to run, e.g. `migrate`. */
  readonly task: string;
  /**
   * The task's args.
   *
   * @default - no args
   */
  readonly args?: Readonly<Record<string, unknown>>;
  /** The admin function's timeout: the provider waits that long and a minute more, at most 15 minutes. */
  readonly functionTimeout: Duration;
  /**
   * The task's own timeout (its `options.timeoutSeconds`), when shorter than the function's.
   *
   * @default - the function's timeout
   */
  readonly taskTimeout?: Duration;
}

/** Lambda's longest run: the provider cannot wait longer for the task. */
const MAX_PROVIDER_TIMEOUT = Duration.minutes(15);

/**
 * What the provider needs beyond the task's timeout: it answers CloudFormation
 * 15 s before its own end (`ANSWER_MARGIN_MS` of the handler), it and the
 * admin version may start cold, and the admin function reads its config and
 * claims the run in the ledger before the task's clock starts.
 */
const RELEASE_PHASE_MARGIN = Duration.seconds(60);

/** The provider's code: `private/release-phase-handler.ts` as CommonJS, small enough to inline. */
function releasePhaseHandlerCode(): string {
  return inlineHandlerCode('release-phase-handler');
}

/**
 * Heroku's release phase on Lambda: during the deploy, the new admin version
 * runs a task (say `migrate`) before the aliases move to the new release.
 * When the task's exit code is not 0, the custom resource fails, the deploy
 * fails, CloudFormation rolls back, and web traffic stays on the old release.
 *
 * The provider is a small inline function (no bundling) that invokes the
 * admin version with response streaming and reads the run result, plain JSON
 * or the last `result` frame of NDJSON. Its run id is derived from the
 * release and the CloudFormation request, so a redelivered request does not
 * run the task twice. Nothing runs on delete, nor while the stack rolls back.
 * A task that may run longer than the provider can wait (its timeout, or the
 * function's, over 14 minutes) is refused at synth: the deploy would report it
 * failed, and roll back, while it went on.
 *
 * The aliases must depend on {@link ReleasePhase.resource}.
 */
class ReleasePhase extends Construct {
  /** The custom resource's provider: the inline function that invokes the new admin version and reads the run result. */
  readonly provider: LambdaFunction;
  /** The custom resource that runs the release task when a release deploys; the aliases depend on it. */
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ReleasePhaseProps) {
    super(scope, id);
    assertTaskFitsTheWait(this, props);
    // The function's timeout and a minute, at most 15 minutes: past its own timeout a task is only told to
    // stop, and one that does not runs on to the function's; the provider outwaits that as far as it can.
    const waitSeconds = Math.min(props.functionTimeout.toSeconds() + 60, MAX_PROVIDER_TIMEOUT.toSeconds());
    const role = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the release task on the new admin version',
    });
    const logGroup = new LogGroup(this, 'ProviderLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    logGroup.grantWrite(role);
    const adminFunction = props.version.lambda;
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [`${adminFunction.functionArn}:*`] }));
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Aws.STACK_ID] }));
    this.provider = new LambdaFunction(this, 'Provider', {
      description: 'cnf-admin release phase',
      runtime: RUNTIME,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: Code.fromInline(releasePhaseHandlerCode()),
      role,
      memorySize: 256,
      timeout: Duration.seconds(waitSeconds),
      logGroup,
      loggingFormat: LoggingFormat.JSON,
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.functionArn,
      resourceType: 'Custom::CnfReleasePhase',
      // CloudFormation fails the resource if the provider never answers, instead of waiting an hour.
      serviceTimeout: Duration.seconds(waitSeconds + 120),
      properties: {
        FunctionName: props.version.functionArn,
        Task: props.task,
        ArgsJson: JSON.stringify(props.args ?? {}),
        Release: props.release,
      },
    });

    const adminLogicalId = Stack.of(this).getLogicalId(adminFunction.node.defaultChild as CfnElement);
    Validations.of(this).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${adminLogicalId}.Arn>:*]`,
        reason:
          'The release phase invokes the admin version that this deploy publishes; its number exists only at deploy time, so the grant covers the versions of the admin function and nothing else.',
      },
      {
        id: 'AwsSolutions-L1',
        reason: `The provider runs on ${LAMBDA_NODE_RUNTIME}, the runtime cnf-admin targets for every function it deploys.`,
      },
    );
  }

  /** The run id of the last release-phase run. */
  get runId(): string {
    return this.resource.getAttString('RunId');
  }
}

/**
 * Checks that the provider can outwait the release task: a task that ran on
 * after the provider gave up would be reported failed, and the deploy rolled
 * back, over whatever it did (a migrated schema).
 *
 * @throws ConstructValidationError naming the task, its timeout and the limit.
 */
function assertTaskFitsTheWait(scope: Construct, props: ReleasePhaseProps): void {
  const functionSeconds = props.functionTimeout.toSeconds();
  const taskSeconds = Math.min(props.taskTimeout?.toSeconds() ?? functionSeconds, functionSeconds);
  const limit = MAX_PROVIDER_TIMEOUT.toSeconds() - RELEASE_PHASE_MARGIN.toSeconds();
  if (taskSeconds <= limit) return;
  const whose =
    props.taskTimeout === undefined || props.taskTimeout.toSeconds() >= functionSeconds
      ? "the admin function's timeout"
      : 'its options.timeoutSeconds';
  throw new ConstructValidationError(
    scope,
    `Release task ${props.task} may run for ${taskSeconds} s (${whose}), longer than the ${limit} s the release phase can wait for it (15 minutes, less ${RELEASE_PHASE_MARGIN.toSeconds()} s for the provider to start and answer CloudFormation): the deploy would fail and roll back while the task goes on. Set options.timeoutSeconds of task ${props.task} to ${limit} or less, or lower the admin timeout (admin.timeout) to ${limit} seconds or less.`,
  );
}

export { ReleasePhase, releasePhaseHandlerCode };
export type { ReleasePhaseProps };
