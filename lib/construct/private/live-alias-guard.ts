import { Aws, CustomResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, LoggingFormat, type Alias, type Version } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEPLOY_GUARD_KEY, STAGE_LOCK } from '../../core/config-ledger.js';
import { LEDGER_TABLE, lockKey } from '../../core/ledger-table.js';
import { LAMBDA_NODE_RUNTIME } from '../../core/node-runtime.js';
import type { RunLedgerTable } from '../run-ledger-table.js';
import { RUNTIME } from './app-function.js';
import { inlineHandlerCode } from './inline-handler.js';

/** One function's side of the guard: its version of this release and its live alias. */
interface GuardedAlias {
  readonly version: Version;
  readonly alias: Alias;
}

/** Props of {@link LiveAliasGuard}. */
interface LiveAliasGuardProps {
  readonly stage: string;
  /** The release this deploy makes live. */
  readonly release: string;
  readonly aliasName: string;
  readonly web: GuardedAlias;
  readonly admin: GuardedAlias;
  /** The run ledger: the stage lock and the guard's record. */
  readonly ledger: RunLedgerTable;
}

/** How long the provider may take: a few reads and writes. */
const PROVIDER_TIMEOUT = Duration.seconds(60);

/**
 * Keeps CloudFormation and `cnf-admin rollback` from undoing each other: a
 * custom resource that both live aliases depend on, updated whenever they
 * move (its properties are the versions they move to).
 *
 * - On a deploy it refuses (fails the resource, so nothing moves and the
 *   stack rolls back) while the stage lock `lock#cnf:stage` is held (a
 *   rollback or a config change is under way), and otherwise records what
 *   the aliases really serve (which a rollback may have chosen) in the run
 *   ledger (`deploy#live-aliases`).
 * - When CloudFormation rolls that deploy back, it updates the aliases
 *   first (to the last template's versions, maybe a release a rollback
 *   moved away from) and the guard after them: the guard moves both back
 *   to what it recorded.
 */
class LiveAliasGuard extends Construct {
  /** The provider: the inline function that records and restores the aliases. */
  readonly provider: LambdaFunction;
  /** The custom resource the aliases depend on. */
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: LiveAliasGuardProps) {
    super(scope, id);
    const role = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Records and restores the live aliases around a deploy',
    });
    const logGroup = new LogGroup(this, 'ProviderLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    logGroup.grantWrite(role);
    const functions = [props.web, props.admin].map(({ version }) => version.lambda.functionArn);
    // IAM authorizes alias actions on the function's ARN; the alias-qualified ARN is listed for where it is matched so.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:GetAlias', 'lambda:UpdateAlias'],
        resources: functions.flatMap((arn) => [arn, `${arn}:${props.aliasName}`]),
      }),
    );
    const table = props.ledger.table.tableArn;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [table],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [lockKey(STAGE_LOCK), DEPLOY_GUARD_KEY] } },
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [table],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [DEPLOY_GUARD_KEY] } },
      }),
    );
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Aws.STACK_ID] }));
    this.provider = new LambdaFunction(this, 'Provider', {
      description: 'cnf-admin live-alias guard',
      runtime: RUNTIME,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: Code.fromInline(inlineHandlerCode('live-alias-guard-handler')),
      role,
      memorySize: 256,
      timeout: PROVIDER_TIMEOUT,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.functionArn,
      resourceType: 'Custom::CnfLiveAliasGuard',
      // CloudFormation fails the resource if the provider never answers, instead of waiting an hour.
      serviceTimeout: PROVIDER_TIMEOUT.plus(Duration.minutes(2)),
      properties: {
        Release: props.release,
        Stage: props.stage,
        WebFunction: props.web.version.lambda.functionName,
        AdminFunction: props.admin.version.lambda.functionName,
        AliasName: props.aliasName,
        WebVersion: props.web.version.version,
        AdminVersion: props.admin.version.version,
        Table: props.ledger.tableName,
        PartitionKey: LEDGER_TABLE.partitionKey,
        LockKey: lockKey(STAGE_LOCK),
        LeaseAttribute: LEDGER_TABLE.leaseAttribute,
        RecordKey: DEPLOY_GUARD_KEY,
      },
    });
    // The aliases move only once the guard has recorded where they were; CloudFormation rolls them back before it.
    props.web.alias.node.addDependency(this.resource);
    props.admin.alias.node.addDependency(this.resource);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `The provider runs on ${LAMBDA_NODE_RUNTIME}, the runtime cnf-admin targets for every function it deploys.`,
    });
  }
}

export { LiveAliasGuard };
export type { LiveAliasGuardProps };
