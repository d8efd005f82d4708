import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Aws, CustomResource, Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, LoggingFormat, type IVersion } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { transformSync } from 'esbuild';
import { RUNTIME } from './private/app-function.js';

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
  /** The admin function's timeout: the release phase waits that long for the task, at most about 15 minutes. */
  readonly taskTimeout: Duration;
}

/** Lambda's longest run: the provider cannot wait longer for the task. */
const MAX_PROVIDER_TIMEOUT = Duration.minutes(15);

let inlineHandler: string | undefined;

/** The provider's code: `private/release-phase-handler.ts` as CommonJS, small enough to inline. */
function releasePhaseHandlerCode(): string {
  if (inlineHandler === undefined) {
    const source = readFileSync(fileURLToPath(new URL('./private/release-phase-handler.ts', import.meta.url)), 'utf8');
    inlineHandler = transformSync(source, { loader: 'ts', format: 'cjs', target: 'node22', charset: 'utf8' }).code;
  }
  return inlineHandler;
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
 *
 * The aliases must depend on {@link ReleasePhase.resource}.
 */
class ReleasePhase extends Construct {
  readonly provider: LambdaFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ReleasePhaseProps) {
    super(scope, id);
    const waitSeconds = Math.min(props.taskTimeout.toSeconds() + 60, MAX_PROVIDER_TIMEOUT.toSeconds());
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
      { id: 'AwsSolutions-L1', reason: 'The provider runs on nodejs22.x, the runtime cnf-admin targets for every function it deploys.' },
    );
  }

  /** The run id of the last release-phase run. */
  get runId(): string {
    return this.resource.getAttString('RunId');
  }
}

export { ReleasePhase, releasePhaseHandlerCode };
export type { ReleasePhaseProps };
