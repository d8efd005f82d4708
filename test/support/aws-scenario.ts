/**
 * A stage on AWS, described as data, served by aws-sdk-client-mock at the
 * SDK clients: the same scenario drives in-process tests and (through
 * `aws-mock-preload.ts`) the real `cnf-admin` binary. Every command sent is
 * recorded, for the tests that check the operator policy.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand, StartLiveTailCommand } from '../../lib/platform/aws/sdk/logs.js';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  unmarshall,
  type AttributeValue,
} from '../../lib/platform/aws/sdk/dynamodb.js';
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  UpdateAliasCommand,
} from '../../lib/platform/aws/sdk/lambda.js';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '../../lib/platform/aws/sdk/ssm.js';
import { GetCallerIdentityCommand, STSClient } from '../../lib/platform/aws/sdk/sts.js';
import { DescribeTasksCommand, ECSClient, type Task } from '../../lib/platform/aws/sdk/ecs.js';
import { CloudFormationClient, DescribeStacksCommand } from '../../lib/platform/aws/sdk/cloudformation.js';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { encodeFrame } from '../../lib/core/run-frames.js';
import { DESCRIBE_TASK, type TaskCatalog, type TaskInfo } from '../../lib/core/task-catalog.js';
import type { InvokePlan, RunFrame } from '../../lib/core/platform.js';
import type { RunRecord } from '../../lib/core/run.js';
import { runStatus } from '../../lib/core/run-status.js';
import { releaseDescription, stageRecordName, type StageRecord } from '../../lib/core/stage-record.js';

/** An error AWS answers with. */
interface ScenarioError {
  readonly name: string;
  readonly message?: string;
  readonly fault?: 'client' | 'server';
  readonly status?: number;
  /** A Node socket error code instead of an AWS answer, e.g. `ECONNRESET`. */
  readonly code?: string;
}

/** An alias as the scenario holds it. */
interface ScenarioAlias {
  readonly version: string;
  /** The release the alias description names; none when absent. */
  readonly release?: string;
  readonly weights?: Readonly<Record<string, number>>;
}

/** A log event; `$RUN_ID` and `$REQUEST_ID` in its message become the invoked run's. */
interface ScenarioLogEvent {
  readonly message: string;
  readonly timestamp?: number;
  readonly logStreamName?: string;
  /** Delivered only from this FilterLogEvents call on (1-based): a late event. */
  readonly fromCall?: number;
}

/** What the streaming invoke answers. */
interface ScenarioStream {
  /** Frames, one payload chunk each; `$RUN_ID` in them becomes the invoked run's id. */
  readonly frames?: readonly RunFrame[];
  /** Raw payload text, split into these chunks, after the frames. */
  readonly chunks?: readonly string[];
  readonly complete?: { readonly ErrorCode?: string; readonly ErrorDetails?: string; readonly LogResult?: string };
  readonly executedVersion?: string;
  /** After the chunks: never end (a run that goes on), or break (a cut network). */
  readonly after?: 'hang' | 'break';
}

/** What the synchronous invoke answers. */
interface ScenarioSyncInvoke {
  readonly payload: string;
  readonly functionError?: string;
  readonly executedVersion?: string;
  readonly logResult?: string;
}

/** The commands a scenario can make fail, by the SDK command's name without `Command`. */
type ScenarioCommand =
  | 'GetParameter'
  | 'GetParametersByPath'
  | 'PutParameter'
  | 'DeleteParameter'
  | 'GetAlias'
  | 'ListAliases'
  | 'ListVersionsByFunction'
  | 'GetFunctionConfiguration'
  | 'Invoke'
  | 'InvokeWithResponseStream'
  | 'GetCallerIdentity'
  | 'FilterLogEvents'
  | 'StartLiveTail'
  | 'Query'
  | 'GetItem'
  | 'GetParameters'
  | 'GetParameterHistory'
  | 'UpdateAlias'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'DescribeTasks'
  | 'DescribeStacks';

/** A stage's container tasks on ECS, as the CLI watches them: the task's states, one per DescribeTasks. */
interface ScenarioEcs {
  /** The task as DescribeTasks tells it, call after call (the last one repeats); `$RUN_ID` is the started run's. */
  readonly states?: readonly Partial<Task>[];
  /** ECS told the task once, then no longer knows it: DescribeTasks answers it as a failure, MISSING, after its first answer. */
  readonly missing?: boolean;
}

/** A stage on AWS, as data. */
interface AwsScenario {
  readonly app: string;
  readonly stage: string;
  readonly region: string;
  readonly account: string;
  /** The stage record's fields over the defaults; `null`: the stage is not deployed. */
  readonly record?: Partial<StageRecord> | null;
  readonly aliases?: { readonly web?: Readonly<Record<string, ScenarioAlias>>; readonly admin?: Readonly<Record<string, ScenarioAlias>> };
  readonly versions?: {
    readonly web?: readonly { version: string; release?: string; createdAt?: string }[];
    readonly admin?: readonly { version: string; release?: string; createdAt?: string }[];
  };
  readonly stream?: ScenarioStream;
  readonly invoke?: ScenarioSyncInvoke;
  /** A synchronous invoke's answer by the event's task (`cnf:stop`), before {@link AwsScenario.invoke}. */
  readonly invokeByTask?: Readonly<Record<string, ScenarioSyncInvoke>>;
  /** What the admin function's `cnf:describe` answers. @default - {@link DEFAULT_CATALOG} */
  readonly catalog?: TaskCatalog;
  readonly requestId?: string;
  readonly logEvents?: readonly ScenarioLogEvent[];
  /** Whether the admin function's log group exists. @default true */
  readonly logGroupExists?: boolean;
  /** Batches Live Tail delivers; absent: Live Tail is unavailable (polling). */
  readonly liveTail?: readonly (readonly ScenarioLogEvent[])[];
  readonly parameters?: readonly { readonly Name: string; readonly Value: string; readonly Type: 'String' | 'SecureString' }[];
  /** Run records of the ledger table, as plain objects. */
  readonly ledger?: readonly Record<string, unknown>[];
  /** The stage's container tasks on ECS. */
  readonly ecs?: ScenarioEcs;
  /** The status of the stage's CloudFormation stack (the record's `stack`). @default 'UPDATE_COMPLETE' */
  readonly stackStatus?: string;
  /** Errors the first calls of a command answer with, in order; later calls succeed. */
  readonly errors?: Partial<Record<ScenarioCommand, readonly ScenarioError[]>>;
}

/** One command the CLI sent. */
interface SentCommand {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/** The mocks of a scenario, and what was sent to them. */
interface InstalledScenario {
  sent(): SentCommand[];
  restore(): void;
}

const RELEASE = 'r-0123456789ab';
const OLD_RELEASE = 'r-00000000aaaa';

/** What `resolve` plans on the healthy stage: web version 7 and admin version 5 of {@link RELEASE}. */
const LIVE_PLAN: InvokePlan = {
  stage: 'prod',
  alias: 'live',
  release: RELEASE,
  webVersion: '7',
  adminVersion: '5',
  qualifier: '5',
  notices: [],
};

/** The stage record a scenario's stage has unless told otherwise. */
function defaultRecord(scenario: Pick<AwsScenario, 'app' | 'stage' | 'region'>): StageRecord {
  const { app, stage, region } = scenario;
  return {
    version: 1,
    app,
    stage,
    region,
    aliasName: 'live',
    parameterPath: `/${app}/${stage}/`,
    web: { functionName: `${app}-${stage}-web`, logGroup: `/aws/lambda/${app}-${stage}-web` },
    admin: { functionName: `${app}-${stage}-admin`, logGroup: `/aws/lambda/${app}-${stage}-admin`, timeoutSeconds: 900 },
    ledgerTable: `${app}-${stage}-runs`,
    console: false,
  };
}

/** A healthy stage: both aliases on release r-0123456789ab (web version 7, admin version 5), an older release retained. */
function healthyScenario(overrides: Partial<AwsScenario> = {}): AwsScenario {
  return {
    app: 'fixture',
    stage: 'prod',
    region: 'eu-west-1',
    account: '123456789012',
    aliases: { web: { live: { version: '7', release: RELEASE } }, admin: { live: { version: '5', release: RELEASE } } },
    versions: {
      web: [
        { version: '6', release: OLD_RELEASE, createdAt: '2026-11-01T10:00:00.000+0000' },
        { version: '7', release: RELEASE, createdAt: '2026-11-20T10:00:00.000+0000' },
      ],
      admin: [
        { version: '4', release: OLD_RELEASE, createdAt: '2026-11-01T10:00:00.000+0000' },
        { version: '5', release: RELEASE, createdAt: '2026-11-20T10:00:00.000+0000' },
      ],
    },
    requestId: '11111111-2222-3333-4444-555555555555',
    ...overrides,
  };
}

/**
 * Never ends. In a spawned CLI an open connection keeps the process alive
 * until Ctrl-C (or SIGTERM, SIGHUP) aborts the request and closes it: so does this.
 */
function hang(asProcess: boolean): Promise<never> {
  return new Promise(() => {
    if (!asProcess) return;
    const connection = setInterval(() => undefined, 60_000);
    process.once('SIGINT', () => clearInterval(connection));
    process.once('SIGTERM', () => clearInterval(connection));
    process.once('SIGHUP', () => clearInterval(connection));
  });
}

function awsError(error: ScenarioError): Error {
  return Object.assign(new Error(error.message ?? error.name), {
    name: error.name,
    ...(error.code === undefined ? {} : { code: error.code }),
    ...(error.fault === undefined ? {} : { $fault: error.fault }),
    ...(error.code === undefined ? { $metadata: { httpStatusCode: error.status ?? (error.fault === 'server' ? 500 : 400) } } : {}),
  });
}

/**
 * Installs mocks of every client the CLI uses that answer from `scenario`;
 * `asProcess` when they serve a whole CLI process (see {@link hang}).
 *
 * @example
 * const aws = installScenario(healthyScenario());
 * try { ... } finally { aws.restore(); }
 */
function installScenario(scenario: AwsScenario, options: { readonly asProcess?: boolean } = {}): InstalledScenario {
  const record = scenario.record === null ? undefined : { ...defaultRecord(scenario), ...scenario.record };
  const functions = {
    web: record?.web.functionName ?? `${scenario.app}-${scenario.stage}-web`,
    admin: record?.admin.functionName ?? `${scenario.app}-${scenario.stage}-admin`,
  };
  const sideOf = (name: unknown): 'web' | 'admin' | undefined =>
    name === functions.web ? 'web' : name === functions.admin ? 'admin' : undefined;
  const failures = new Map<string, ScenarioError[]>(
    Object.entries(scenario.errors ?? {}).map(([command, list]) => [command, [...(list ?? [])]]),
  );
  const counts = new Map<string, number>();
  let runId = '$RUN_ID';
  const requestId = scenario.requestId ?? 'request-1';
  const fill = (text: string): string => text.replaceAll('$RUN_ID', runId).replaceAll('$REQUEST_ID', requestId);
  const notFound = (message: string): Error => awsError({ name: 'ResourceNotFoundException', message, fault: 'client', status: 404 });

  /** Answers a command: its next scripted failure, or `answer`. */
  const serve =
    <I, O>(command: ScenarioCommand, answer: (input: I) => O | Promise<O>) =>
    async (input: I): Promise<O> => {
      counts.set(command, (counts.get(command) ?? 0) + 1);
      const failure = failures.get(command)?.shift();
      if (failure !== undefined) throw awsError(failure);
      return answer(input);
    };

  const ssm = mockClient(SSMClient);
  const lambda = mockClient(LambdaClient);
  const sts = mockClient(STSClient);
  const logs = mockClient(CloudWatchLogsClient);
  const dynamodb = mockClient(DynamoDBClient);
  const parameters = new Map((scenario.parameters ?? []).map((parameter) => [parameter.Name, parameter]));
  if (record !== undefined)
    parameters.set(stageRecordName(scenario.app, scenario.stage), {
      Name: stageRecordName(scenario.app, scenario.stage),
      Value: JSON.stringify(record),
      Type: 'String',
    });

  ssm.on(GetParameterCommand).callsFake(
    serve('GetParameter', (input: { Name: string }) => {
      const parameter = parameters.get(input.Name);
      if (parameter === undefined)
        throw awsError({ name: 'ParameterNotFound', message: `Parameter ${input.Name} not found.`, fault: 'client' });
      return { Parameter: { ...parameter, Value: parameter.Type === 'SecureString' ? 'AQICAHencrypted' : parameter.Value } };
    }),
  );
  ssm.on(GetParametersByPathCommand).callsFake(
    serve('GetParametersByPath', (input: { Path: string; NextToken?: string }) => {
      const all = [...parameters.values()].filter((parameter) => parameter.Name.startsWith(input.Path));
      const start = Number(input.NextToken ?? 0);
      const page = all
        .slice(start, start + 2)
        .map((parameter) => ({ ...parameter, Value: parameter.Type === 'SecureString' ? 'AQICAHencrypted' : parameter.Value }));
      return { Parameters: page, ...(start + 2 < all.length ? { NextToken: String(start + 2) } : {}) };
    }),
  );
  // Each put makes a new version, as SSM numbers them; a seeded parameter is version 1.
  const history = new Map<string, { Version: number; Value: string; Type: string }[]>(
    [...parameters.values()].map((parameter) => [parameter.Name, [{ Version: 1, Value: parameter.Value, Type: parameter.Type }]]),
  );
  ssm.on(PutParameterCommand).callsFake(
    serve('PutParameter', (input: { Name: string; Value: string; Type: 'String' | 'SecureString' }) => {
      parameters.set(input.Name, { Name: input.Name, Value: input.Value, Type: input.Type });
      const versions = history.get(input.Name) ?? [];
      const Version = (versions.at(-1)?.Version ?? 0) + 1;
      history.set(input.Name, [...versions, { Version, Value: input.Value, Type: input.Type }]);
      return { Version };
    }),
  );
  ssm.on(GetParametersCommand).callsFake(
    serve('GetParameters', (input: { Names: string[] }) => {
      const found = input.Names.map((selector) => {
        const [, name = selector, version] = /^(.*?)(?::(\d+))?$/.exec(selector) ?? [];
        const held = (history.get(name) ?? []).find((entry) => version === undefined || entry.Version === Number(version));
        return { selector, parameter: held === undefined ? undefined : { Name: name, ...held } };
      });
      return {
        Parameters: found.flatMap(({ parameter }) => (parameter === undefined ? [] : [parameter])),
        InvalidParameters: found.filter(({ parameter }) => parameter === undefined).map(({ selector }) => selector),
      };
    }),
  );
  ssm.on(GetParameterHistoryCommand).callsFake(
    serve('GetParameterHistory', (input: { Name: string }) => {
      const versions = history.get(input.Name);
      if (versions === undefined)
        throw awsError({ name: 'ParameterNotFound', message: `Parameter ${input.Name} not found.`, fault: 'client' });
      return { Parameters: versions.map((entry) => ({ Name: input.Name, ...entry })) };
    }),
  );
  ssm.on(DeleteParameterCommand).callsFake(
    serve('DeleteParameter', (input: { Name: string }) => {
      if (!parameters.delete(input.Name)) throw awsError({ name: 'ParameterNotFound', message: 'not found', fault: 'client' });
      return {};
    }),
  );

  const aliasesOf = (name: unknown): Readonly<Record<string, ScenarioAlias>> => {
    const side = sideOf(name);
    if (side === undefined) throw notFound(`Function not found: ${String(name)}`);
    return scenario.aliases?.[side] ?? {};
  };
  const aliasConfig = (name: string, alias: ScenarioAlias) => ({
    Name: name,
    FunctionVersion: alias.version,
    ...(alias.release === undefined ? {} : { Description: releaseDescription(alias.release) }),
    ...(alias.weights === undefined ? {} : { RoutingConfig: { AdditionalVersionWeights: alias.weights } }),
  });
  const versionsOf = (name: unknown) => {
    const side = sideOf(name);
    if (side === undefined) throw notFound(`Function not found: ${String(name)}`);
    return scenario.versions?.[side] ?? [];
  };
  lambda.on(GetAliasCommand).callsFake(
    serve('GetAlias', (input: { FunctionName: string; Name: string }) => {
      const alias = aliasesOf(input.FunctionName)[input.Name];
      if (alias === undefined) throw notFound(`Cannot find alias arn: ${input.FunctionName}:${input.Name}`);
      return aliasConfig(input.Name, alias);
    }),
  );
  lambda.on(ListAliasesCommand).callsFake(
    serve('ListAliases', (input: { FunctionName: string }) => ({
      Aliases: Object.entries(aliasesOf(input.FunctionName)).map(([name, alias]) => aliasConfig(name, alias)),
    })),
  );
  lambda.on(ListVersionsByFunctionCommand).callsFake(
    serve('ListVersionsByFunction', (input: { FunctionName: string; Marker?: string }) => {
      const all = [{ version: '$LATEST' }, ...versionsOf(input.FunctionName)];
      const start = Number(input.Marker ?? 0);
      const page = all.slice(start, start + 2).map((version) => ({
        Version: version.version,
        ...('release' in version && version.release !== undefined ? { Description: releaseDescription(version.release) } : {}),
        LastModified: 'createdAt' in version ? version.createdAt : '2026-11-01T00:00:00.000+0000',
      }));
      return { Versions: page, ...(start + 2 < all.length ? { NextMarker: String(start + 2) } : {}) };
    }),
  );
  lambda.on(UpdateAliasCommand).callsFake(
    serve('UpdateAlias', (input: { FunctionName: string; Name: string; FunctionVersion: string }) => {
      if (!versionsOf(input.FunctionName).some((entry) => entry.version === input.FunctionVersion))
        throw notFound(`Function not found: ${input.FunctionName}:${input.FunctionVersion}`);
      return { Name: input.Name, FunctionVersion: input.FunctionVersion };
    }),
  );
  lambda.on(GetFunctionConfigurationCommand).callsFake(
    serve('GetFunctionConfiguration', (input: { FunctionName: string; Qualifier: string }) => {
      // A qualifier is a version or an alias, as in Lambda: an alias answers for the version it points at.
      const qualifier = aliasesOf(input.FunctionName)[input.Qualifier]?.version ?? input.Qualifier;
      const version = versionsOf(input.FunctionName).find((entry) => entry.version === qualifier);
      if (version === undefined) throw notFound(`Function not found: ${input.FunctionName}:${input.Qualifier}`);
      return { Version: version.version, ...(version.release === undefined ? {} : { Description: releaseDescription(version.release) }) };
    }),
  );
  const noteRunId = (payload: Uint8Array | undefined): void => {
    const event = JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString('utf8')) as { runId?: string };
    runId = event.runId ?? runId;
  };
  lambda.on(InvokeWithResponseStreamCommand).callsFake(
    serve('InvokeWithResponseStream', (input: { FunctionName?: string; Qualifier: string; Payload?: Uint8Array }) => {
      noteRunId(input.Payload);
      const stream = scenario.stream ?? {};
      return {
        StatusCode: 200,
        // As Lambda: a call by alias runs, and reports, the version the alias points at.
        ExecutedVersion: stream.executedVersion ?? aliasesOf(input.FunctionName)[input.Qualifier]?.version ?? input.Qualifier,
        $metadata: { requestId },
        EventStream: (async function* () {
          for (const frame of stream.frames ?? []) yield { PayloadChunk: { Payload: Buffer.from(fill(encodeFrame(frame))) } };
          for (const chunk of stream.chunks ?? []) yield { PayloadChunk: { Payload: Buffer.from(fill(chunk)) } };
          if (stream.after === 'hang') await hang(options.asProcess === true);
          if (stream.after === 'break') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
          yield { InvokeComplete: stream.complete ?? {} };
        })(),
      };
    }),
  );
  lambda.on(InvokeCommand).callsFake(
    serve('Invoke', (input: { FunctionName?: string; Qualifier: string; Payload?: Uint8Array; InvocationType?: string }) => {
      noteRunId(input.Payload);
      if (input.InvocationType === 'Event') return { StatusCode: 202, $metadata: { requestId } };
      const task = taskOf(input.Payload);
      // The catalog answers cnf:describe when there is no other answer, or when the scenario names its catalog.
      const described =
        scenario.invoke === undefined || scenario.catalog !== undefined
          ? describeAnswer(scenario, Buffer.from(input.Payload ?? []).toString('utf8'))
          : undefined;
      const byTask = task === undefined ? undefined : scenario.invokeByTask?.[task];
      const answer = byTask ??
        (scenario.catalog !== undefined && described !== undefined ? { payload: described } : undefined) ??
        scenario.invoke ?? { payload: described ?? '{}' };
      return {
        StatusCode: 200,
        ExecutedVersion: answer.executedVersion ?? aliasesOf(input.FunctionName)[input.Qualifier]?.version ?? input.Qualifier,
        Payload: Buffer.from(fill(answer.payload)),
        ...(answer.functionError === undefined ? {} : { FunctionError: answer.functionError }),
        ...(answer.logResult === undefined ? {} : { LogResult: answer.logResult }),
        $metadata: { requestId },
      };
    }),
  );

  sts.on(GetCallerIdentityCommand).callsFake(
    serve('GetCallerIdentity', () => ({
      Account: scenario.account,
      Arn: `arn:aws:sts::${scenario.account}:assumed-role/operator/alice`,
      UserId: 'AROAEXAMPLE:alice',
    })),
  );

  const eventOf = (event: ScenarioLogEvent, index: number) => ({
    eventId: `event-${index}`,
    timestamp: event.timestamp ?? Date.now(),
    message: fill(event.message),
    logStreamName: event.logStreamName ?? '2026/11/24/[5]abcdef',
  });
  logs.on(FilterLogEventsCommand).callsFake(
    serve(
      'FilterLogEvents',
      (input: { filterPattern?: string; startTime?: number; logStreamNames?: string[]; nextToken?: string; logGroupName: string }) => {
        if (input.logGroupName !== record?.admin.logGroup || scenario.logGroupExists === false)
          throw notFound('The specified log group does not exist.');
        const call = counts.get('FilterLogEvents') ?? 1;
        const terms = [...(input.filterPattern ?? '').matchAll(/"([^"]*)"/g)].map((match) => match[1] as string);
        const all = (scenario.logEvents ?? [])
          .map(eventOf)
          .filter((_event, index) => (scenario.logEvents?.[index]?.fromCall ?? 1) <= call)
          .filter((event) => terms.length === 0 || terms.some((term) => event.message.includes(term)))
          .filter((event) => input.logStreamNames === undefined || input.logStreamNames.includes(event.logStreamName))
          .filter((event) => input.startTime === undefined || event.timestamp >= input.startTime);
        const start = Number(input.nextToken ?? 0);
        return { events: all.slice(start, start + 3), ...(start + 3 < all.length ? { nextToken: String(start + 3) } : {}) };
      },
    ),
  );
  logs.on(StartLiveTailCommand).callsFake(
    serve('StartLiveTail', () => {
      if (scenario.liveTail === undefined)
        throw awsError({ name: 'UnknownOperationException', message: 'not available', fault: 'client', status: 404 });
      const batches = scenario.liveTail;
      return {
        responseStream: (async function* () {
          yield { sessionStart: { sessionId: 'session-1' } };
          for (const batch of batches) yield { sessionUpdate: { sessionResults: batch.map(eventOf) } };
          await new Promise(() => undefined);
        })(),
      };
    }),
  );

  const toAttribute = (value: unknown): AttributeValue =>
    Array.isArray(value)
      ? { L: value.map((inner) => toAttribute(inner)) }
      : typeof value === 'string'
        ? { S: value }
        : typeof value === 'number'
          ? { N: String(value) }
          : typeof value === 'boolean'
            ? { BOOL: value }
            : typeof value === 'object' && value !== null
              ? { M: Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toAttribute(inner)])) }
              : { NULL: true };
  const items: Record<string, unknown>[] = (scenario.ledger ?? []).map((run) => ({
    pk: `run#${String(run.runId)}`,
    entity: 'run',
    ...run,
  }));
  dynamodb.on(QueryCommand).callsFake(
    serve(
      'Query',
      (input: {
        ExpressionAttributeValues: Record<string, { S: string }>;
        IndexName: string;
        Limit?: number;
        FilterExpression?: string;
      }) => {
        // The config history's items, by their `entity`, oldest first.
        const entity = input.ExpressionAttributeValues[':entity']?.S;
        if (entity !== undefined)
          return {
            Items: items
              .filter((item) => item.entity === entity)
              .sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt)))
              .map((item) => toAttribute(item).M),
          };
        const value = input.ExpressionAttributeValues[':value']?.S;
        // The ledger's one filter: `NOT #task IN (:excluded0, ...)`.
        const excluded = (/NOT #task IN \(([^)]*)\)/.exec(input.FilterExpression ?? '')?.[1] ?? '')
          .split(', ')
          .map((key) => input.ExpressionAttributeValues[key]?.S);
        const matching = items
          .filter((item) =>
            input.IndexName === 'byTask'
              ? item.task === value
              : input.IndexName === 'byStatus'
                ? runStatus(item as unknown as RunRecord) === value
                : item.entity === value,
          )
          .filter((item) => !excluded.includes(item.task as string))
          .sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)));
        return { Items: matching.slice(0, input.Limit ?? matching.length).map((item) => toAttribute(item).M) };
      },
    ),
  );
  dynamodb.on(GetItemCommand).callsFake(
    serve('GetItem', (input: { Key: { pk: { S: string } } }) => {
      const item = items.find((candidate) => candidate.pk === input.Key.pk.S);
      return item === undefined ? {} : { Item: toAttribute(item).M };
    }),
  );

  // Writes of the config history, the stage lock and a rollback's run, with the ledger's conditions.
  dynamodb.on(PutItemCommand).callsFake(
    serve(
      'PutItem',
      (input: {
        Item: Record<string, AttributeValue>;
        ConditionExpression?: string;
        ExpressionAttributeValues?: Record<string, AttributeValue>;
      }) => {
        const item = unmarshall(input.Item);
        const index = items.findIndex((candidate) => candidate.pk === item.pk);
        const existing = items[index];
        const now = input.ExpressionAttributeValues?.[':now'];
        const expired = now !== undefined && existing !== undefined && Number(existing.leaseExpiresAt) < Number(unmarshall({ now }).now);
        if (existing !== undefined && input.ConditionExpression?.includes('attribute_not_exists') === true && !expired)
          throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
        if (index === -1) items.push(item);
        else items[index] = item;
        return {};
      },
    ),
  );
  dynamodb.on(UpdateItemCommand).callsFake(serve('UpdateItem', () => ({})));
  dynamodb.on(DeleteItemCommand).callsFake(
    serve('DeleteItem', (input: { Key: { pk: { S: string } } }) => {
      const index = items.findIndex((candidate) => candidate.pk === input.Key.pk.S);
      if (index !== -1) items.splice(index, 1);
      return {};
    }),
  );

  const ecs = mockClient(ECSClient);
  const taskArn = `arn:aws:ecs:${scenario.region}:${scenario.account}:task/${scenario.app}-${scenario.stage}-admin/0123456789abcdef`;
  let describeCalls = 0;
  ecs.on(DescribeTasksCommand).callsFake(
    serve('DescribeTasks', () => {
      const states = scenario.ecs?.states ?? [{ lastStatus: 'RUNNING' }];
      const state = states[Math.min(describeCalls, states.length - 1)] ?? {};
      describeCalls += 1;
      if (scenario.ecs?.missing === true && describeCalls > 1) return { tasks: [], failures: [{ arn: taskArn, reason: 'MISSING' }] };
      return { tasks: [{ taskArn, ...JSON.parse(fill(JSON.stringify(state))) }], failures: [] };
    }),
  );
  const cloudFormation = mockClient(CloudFormationClient);
  cloudFormation.on(DescribeStacksCommand).callsFake(
    serve('DescribeStacks', (input: { StackName: string }) => ({
      Stacks: [{ StackName: input.StackName, StackStatus: scenario.stackStatus ?? 'UPDATE_COMPLETE', CreationTime: new Date(0) }],
    })),
  );
  const mocks: AwsStub<object, never, unknown>[] = [ssm, lambda, sts, logs, dynamodb, ecs, cloudFormation] as never;
  return {
    sent: () =>
      mocks.flatMap((mock) =>
        mock.calls().map((call) => {
          const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
          return { command: command.constructor.name, input: command.input };
        }),
      ),
    restore: () => mocks.forEach((mock) => mock.restore()),
  };
}

/** A structured log line of a run, as the admin function writes it. */
function runLine(message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    level: 'INFO',
    message,
    timestamp: '2026-11-24T14:39:27.123Z',
    service: 'fixture',
    runId: '$RUN_ID',
    task: 'echo',
    release: RELEASE,
    ...extra,
  });
}

/** The task an admin event names, when the payload is one. */
function taskOf(payload: Uint8Array | undefined): string | undefined {
  if (payload === undefined) return undefined;
  try {
    const event = JSON.parse(Buffer.from(payload).toString('utf8')) as { task?: unknown };
    return typeof event.task === 'string' ? event.task : undefined;
  } catch {
    return undefined;
  }
}

const anyArgs = (name: string): TaskInfo => ({ name, description: name, args: { type: 'object' }, lock: false });

/** The tasks the AWS scenarios run, taking any args: what `cnf:describe` answers unless a scenario says otherwise. */
const DEFAULT_CATALOG: TaskCatalog = {
  tasks: ['backfill', 'echo', 'exit-code', 'migrate', 'noop'].map(anyArgs),
  scripts: ['scripts/fix.ts'].map(anyArgs),
};

/**
 * The admin function's answer to a synchronous `cnf:describe` (the catalog
 * `tasks`, `--detach` and `--dry-run` read), or undefined for another event.
 */
function describeAnswer(scenario: AwsScenario, payload: string): string | undefined {
  let event: { task?: unknown; runId?: unknown };
  try {
    event = JSON.parse(payload) as typeof event;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  if (event.task !== DESCRIBE_TASK) return undefined;
  return JSON.stringify({
    runId: event.runId,
    task: DESCRIBE_TASK,
    release: RELEASE,
    exitCode: 0,
    durationMs: 1,
    output: scenario.catalog ?? DEFAULT_CATALOG,
  });
}

export { DEFAULT_CATALOG, describeAnswer, defaultRecord, healthyScenario, installScenario, LIVE_PLAN, OLD_RELEASE, RELEASE, runLine };
export type { AwsScenario, ScenarioEcs, InstalledScenario, ScenarioCommand, ScenarioError, ScenarioLogEvent, ScenarioStream, SentCommand };
