/*
 * The live-alias guard's custom resource provider. It ships as inline code
 * (esbuild bundles this file as CommonJS at synth): it may import only the
 * AWS SDK that the Lambda runtime provides, types, and `cfn-response`. The ledger's layout
 * (table, keys, attribute names) comes in the resource's properties, from
 * the modules that own it.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetAliasCommand, LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { respond, type Outcome } from './cfn-response.js';
import type { LockHolder } from '../../core/lease.js';

/** What the custom resource passes (CloudFormation turns every leaf into a string). */
interface GuardProperties {
  readonly ServiceToken: string;
  /** The release this deploy makes live. */
  readonly Release: string;
  readonly Stage: string;
  readonly WebFunction: string;
  readonly AdminFunction: string;
  readonly AliasName: string;
  /** The versions this deploy moves the aliases to: they change whenever the aliases do. */
  readonly WebVersion: string;
  readonly AdminVersion: string;
  /** The run ledger table, its partition key, the stage lock's item and lease attribute, and the guard's own item. */
  readonly Table: string;
  readonly PartitionKey: string;
  readonly LockKey: string;
  readonly LeaseAttribute: string;
  readonly RecordKey: string;
}

/** One alias as it was: its version and canary weights. */
interface AliasState {
  readonly version: string;
  readonly weights: Record<string, number>;
}

/** The guard's item: what the aliases served before the deploy that is to move them to `target`. */
interface GuardRecord {
  readonly target: string;
  readonly release: string;
  readonly web?: AliasState;
  readonly admin?: AliasState;
  readonly recordedAt: string;
}

const lambda = new LambdaClient({});
const dynamodb = new DynamoDBClient({});
const cloudFormation = new CloudFormationClient({});

/**
 * Keeps CloudFormation from moving the live aliases to a release nobody
 * chose: records what they serve before a deploy moves them, refuses the
 * deploy while the stage lock is held, and moves them back to what it
 * recorded when CloudFormation rolls the deploy back.
 */
async function handler(event: CloudFormationCustomResourceEvent): Promise<void> {
  let outcome: Outcome;
  try {
    outcome = await guard(event);
  } catch (error) {
    const { name, message } = error as Error;
    // A plain Error's name says nothing; an SDK error's (AccessDeniedException) does.
    outcome = { Status: 'FAILED', Reason: `The live-alias guard failed: ${name === 'Error' ? '' : `${name}: `}${message}` };
  }
  console.log(JSON.stringify({ message: 'Live-alias guard outcome', requestType: event.RequestType, ...outcome }));
  await respond(event, outcome);
}

async function guard(event: CloudFormationCustomResourceEvent): Promise<Outcome> {
  if (event.RequestType === 'Delete') return { Status: 'SUCCESS', Reason: 'Nothing moves when the guard is removed.' };
  const props = event.ResourceProperties as unknown as GuardProperties;
  if (event.RequestType === 'Update' && (await isRollingBack(event.StackId))) {
    return restore(props, event.OldResourceProperties as unknown as GuardProperties);
  }
  return record(props);
}

/** A forward deploy: refuses while the stage lock is held, else records the aliases as they are. */
async function record(props: GuardProperties): Promise<Outcome> {
  const holder = await lockHolder(props);
  if (holder !== undefined) {
    // No record: the rollback CloudFormation now makes must leave the aliases to the holder.
    await dynamodb.send(new DeleteItemCommand({ TableName: props.Table, Key: key(props) }));
    return {
      Status: 'FAILED',
      Reason: `Stage ${props.Stage} is being changed by run ${holder.runId} (${holder.caller}, since ${holder.since}): a rollback or a config change holds the stage lock and may be moving the live aliases; nothing moved. Deploy again after it.`,
    };
  }
  const [web, admin] = await Promise.all([
    aliasState(props.WebFunction, props.AliasName),
    aliasState(props.AdminFunction, props.AliasName),
  ]);
  const item: GuardRecord = {
    target: targetOf(props),
    release: props.Release,
    ...(web === undefined ? {} : { web }),
    ...(admin === undefined ? {} : { admin }),
    recordedAt: new Date().toISOString(),
  };
  await dynamodb.send(
    new PutItemCommand({
      TableName: props.Table,
      Item: { [props.PartitionKey]: { S: props.RecordKey }, guard: { S: JSON.stringify(item) } },
    }),
  );
  const before = web === undefined || admin === undefined ? 'no live aliases yet' : `web ${web.version}, admin ${admin.version}`;
  return {
    Status: 'SUCCESS',
    Reason: `Recorded the live aliases before the deploy of ${props.Release}: ${before}.`,
    Data: { WebVersion: web?.version ?? '', AdminVersion: admin?.version ?? '' },
  };
}

/**
 * CloudFormation rolls the deploy back: it has just set the aliases to the
 * last template's versions. Moves them back to what they served before the
 * deploy, as recorded by its forward step (a release a `cnf-admin rollback`
 * may have chosen), and forgets the record.
 */
async function restore(props: GuardProperties, failed: GuardProperties): Promise<Outcome> {
  const found = await dynamodb.send(new GetItemCommand({ TableName: props.Table, Key: key(props), ConsistentRead: true }));
  const text = found.Item?.guard?.S;
  const recorded = text === undefined ? undefined : (JSON.parse(text) as GuardRecord);
  if (recorded?.target !== targetOf(failed) || recorded.web === undefined || recorded.admin === undefined) {
    return { Status: 'SUCCESS', Reason: 'The stack is rolling back a deploy that recorded no live aliases: nothing to move back.' };
  }
  const { web, admin } = recorded;
  const update = (functionName: string, state: AliasState) =>
    lambda.send(
      new UpdateAliasCommand({
        FunctionName: functionName,
        Name: props.AliasName,
        FunctionVersion: state.version,
        RoutingConfig: { AdditionalVersionWeights: state.weights },
      }),
    );
  await Promise.all([update(props.WebFunction, web), update(props.AdminFunction, admin)]);
  await dynamodb.send(new DeleteItemCommand({ TableName: props.Table, Key: key(props) }));
  return {
    Status: 'SUCCESS',
    Reason: `The deploy of ${failed.Release} rolled back: the live aliases are back on what they served before it (web ${web.version}, admin ${admin.version}).`,
    Data: { WebVersion: web.version, AdminVersion: admin.version },
  };
}

/** The holder of the stage lock when its lease has not expired. */
async function lockHolder(props: GuardProperties): Promise<LockHolder | undefined> {
  const found = await dynamodb.send(
    new GetItemCommand({ TableName: props.Table, Key: { [props.PartitionKey]: { S: props.LockKey } }, ConsistentRead: true }),
  );
  const item = found.Item;
  if (item === undefined || Number(item[props.LeaseAttribute]?.N ?? 0) <= Date.now()) return undefined;
  const text = (value: AttributeValue | undefined) => value?.S ?? 'unknown';
  return { runId: text(item.runId), caller: text(item.caller), since: text(item.since) };
}

/** An alias's version and weights, or undefined when there is no such alias yet (the first deploy). */
async function aliasState(functionName: string, aliasName: string): Promise<AliasState | undefined> {
  try {
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: aliasName }));
    return { version: alias.FunctionVersion ?? '$LATEST', weights: alias.RoutingConfig?.AdditionalVersionWeights ?? {} };
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

function targetOf(props: GuardProperties): string {
  return `web:${props.WebVersion} admin:${props.AdminVersion}`;
}

function key(props: GuardProperties): Record<string, AttributeValue> {
  return { [props.PartitionKey]: { S: props.RecordKey } };
}

async function isRollingBack(stackId: string): Promise<boolean> {
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }));
  return Stacks?.[0]?.StackStatus === 'UPDATE_ROLLBACK_IN_PROGRESS';
}

export { handler };
