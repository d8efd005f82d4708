import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId, type AwsSdkCall } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { TaskCatalog } from '../core/task-catalog.js';
import { TEST_EVENT_REGISTRY, testEventSchema, testEventSchemaName } from './private/test-event-schema.js';

/** Props of {@link AdminTestEvents}. */
interface AdminTestEventsProps {
  /** The admin function's name: the console finds its test events by it. */
  readonly functionName: string;
  /** The release's tasks: one test event each. */
  readonly catalog: TaskCatalog;
  /**
   * How long the logs of the function that writes the events are kept
   * (`AwsCustomResource`'s provider, one per stack: the first
   * `AdminTestEvents` of a stack sets it).
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly providerLogRetention?: RetentionDays;
}

/** The id, at the stack's root, of the provider's log group: one per stack, like the provider. */
const PROVIDER_LOG_GROUP_ID = 'CnfTestEventsProviderLogs';

const SCHEMA_TYPE = 'OpenApi3';

/**
 * One shareable Lambda console test event per task of the release, in the
 * registry `lambda-testevent-schemas` as the schema `_<function-name>-schema`,
 * so that an operator can run any task from the console.
 *
 * The registry is shared by every function of the account and region, and
 * the console creates it on first use: it is created here only when missing
 * (a conflict means it exists) and never deleted. The schema is created when
 * missing (a schema left from console use is taken over), then written with
 * the release's events on every change, and deleted with the stack.
 */
class AdminTestEvents extends Construct {
  /** The schema holding the events. */
  readonly schemaName: string;

  constructor(scope: Construct, id: string, props: AdminTestEventsProps) {
    super(scope, id);
    this.schemaName = testEventSchemaName(props.functionName);
    const stack = Stack.of(this);
    const registryArn = stack.formatArn({ service: 'schemas', resource: 'registry', resourceName: TEST_EVENT_REGISTRY });
    const schemaArn = stack.formatArn({
      service: 'schemas',
      resource: 'schema',
      resourceName: `${TEST_EVENT_REGISTRY}/${this.schemaName}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const schema = { RegistryName: TEST_EVENT_REGISTRY, SchemaName: this.schemaName, Type: SCHEMA_TYPE };
    const content = JSON.stringify(testEventSchema(props.catalog.tasks));
    const logGroup = providerLogGroup(stack, props.providerLogRetention ?? RetentionDays.ONE_MONTH);

    const call = (id: string, onCreate: AwsSdkCall, onDelete: AwsSdkCall | undefined, statements: PolicyStatement[]) =>
      this.call(id, onCreate, onDelete, statements, logGroup);
    const registry = call('Registry', schemaCall('CreateRegistry', { RegistryName: TEST_EVENT_REGISTRY }, 'ConflictException'), undefined, [
      new PolicyStatement({ actions: ['schemas:CreateRegistry'], resources: [registryArn] }),
    ]);
    // Makes sure the schema exists (a placeholder; the next step writes the events) and owns its deletion.
    const exists = call(
      'Schema',
      schemaCall('CreateSchema', { ...schema, Content: JSON.stringify(testEventSchema([])) }, 'ConflictException'),
      schemaCall('DeleteSchema', { RegistryName: TEST_EVENT_REGISTRY, SchemaName: this.schemaName }, 'NotFoundException'),
      [new PolicyStatement({ actions: ['schemas:CreateSchema', 'schemas:DeleteSchema'], resources: [schemaArn] })],
    );
    exists.node.addDependency(registry);
    const events = call('Content', schemaCall('UpdateSchema', { ...schema, Content: content }), undefined, [
      new PolicyStatement({ actions: ['schemas:UpdateSchema'], resources: [schemaArn] }),
    ]);
    events.node.addDependency(exists);
  }

  private call(
    id: string,
    onCreate: AwsSdkCall,
    onDelete: AwsSdkCall | undefined,
    statements: PolicyStatement[],
    logGroup: LogGroup,
  ): AwsCustomResource {
    const resource = new AwsCustomResource(this, id, {
      // Both create and update: an update brings the release's events.
      onCreate,
      onUpdate: onCreate,
      ...(onDelete === undefined ? {} : { onDelete }),
      policy: AwsCustomResourcePolicy.fromStatements(statements),
      // Lambda's built-in SDK has the schemas client; installing one at deploy time would need the network.
      installLatestAwsSdk: false,
      // Otherwise Lambda creates the provider's log group on first run, and it never expires.
      logGroup,
    });
    return resource;
  }
}

/**
 * The log group of the stack's `AwsCustomResource` provider, with a
 * retention. It holds only the provider's own diagnostics, so it goes with
 * the stack (and with a failed first deploy's rollback).
 */
function providerLogGroup(stack: Stack, retention: RetentionDays): LogGroup {
  const existing = stack.node.tryFindChild(PROVIDER_LOG_GROUP_ID);
  if (existing instanceof LogGroup) return existing;
  return new LogGroup(stack, PROVIDER_LOG_GROUP_ID, { retention, removalPolicy: RemovalPolicy.DESTROY });
}

/** An EventBridge Schemas API call; its physical id is the call's registry or schema. */
function schemaCall(action: string, parameters: Record<string, string>, ignoreErrorCodesMatching?: string): AwsSdkCall {
  return {
    service: 'schemas',
    action,
    parameters,
    physicalResourceId: PhysicalResourceId.of([parameters.RegistryName, parameters.SchemaName].filter(Boolean).join('/')),
    // The responses are not used; keeping them out of the custom resource's data keeps it small.
    outputPaths: ['SchemaArn'],
    ...(ignoreErrorCodesMatching === undefined ? {} : { ignoreErrorCodesMatching }),
  };
}

/**
 * Acknowledges, with reasons, the cdk-nag findings on the provider that
 * `AwsCustomResource` brings (aws-cdk-lib's singleton function, one per stack).
 */
function acknowledgeProviderFindings(stack: Stack): void {
  const provider = stack.node.tryFindChild(`AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`);
  if (provider === undefined) return;
  Validations.of(provider).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "AwsCustomResource's provider (aws-cdk-lib) runs with the AWS managed AWSLambdaBasicExecutionRole, which lets it write its own logs and nothing else.",
    },
    {
      id: 'AwsSolutions-L1',
      reason: "AwsCustomResource's provider is aws-cdk-lib's own function; aws-cdk-lib picks and upgrades its runtime.",
    },
  );
}

export { acknowledgeProviderFindings, AdminTestEvents };
export type { AdminTestEventsProps };
