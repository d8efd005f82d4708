/**
 * A local HTTP server that speaks just enough of SSM, STS, Lambda, ECS,
 * DynamoDB (the run ledger's table), CloudFormation (a stack's status) and CloudWatch Logs (their real wire protocols) to serve a stage from an
 * {@link AwsScenario}: what `AWS_ENDPOINT_URL` points the real SDK at in the
 * tests that check endpoint configuration, retries and streaming on the
 * wire, and in the benchmark (with a fixed latency on every call).
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import { encodeFrame } from '../../lib/core/run-frames.js';
import { releaseDescription, stageRecordName } from '../../lib/core/stage-record.js';
import { defaultRecord, describeAnswer, type AwsScenario } from './aws-scenario.js';
import { FakeLedgerTable } from './fake-ledger-table.js';
import { FakeDynamoDb } from './fake-dynamodb.js';
import { FakeSsm } from './fake-ssm.js';

/** One request the server received. */
interface ReceivedRequest {
  /** `ssm`, `sts`, `lambda` or `logs`. */
  readonly service: string;
  /** The operation, e.g. `GetAlias`. */
  readonly operation: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** `performance.now()` when the request arrived. */
  readonly arrivedAt: number;
}

/** A failure to answer an operation with, once per entry. */
interface WireFailure {
  readonly status: number;
  readonly name: string;
  readonly message?: string;
}

/** Options of {@link startFakeAws}. */
interface FakeAwsOptions {
  /** Waited before every answer: a round trip to a far region. @default 0 */
  readonly latencyMs?: number;
  /** Failures the first requests of an operation get, in order. */
  readonly failures?: Readonly<Record<string, readonly WireFailure[]>>;
  /**
   * Answers a request itself (a live admin function, ECS that runs tasks),
   * before the scenario's canned answers: true once it has answered, a
   * failure for the server to answer with in the service's own protocol, or
   * false to leave it to the canned answers.
   */
  readonly serve?: (received: ReceivedRequest, response: ServerResponse) => boolean | WireFailure;
  /** How far AWS's clock is ahead of this machine's (behind, below 0): its `Date` headers and SSM's `LastModifiedDate`. @default 0 */
  readonly clockSkewMs?: number;
  /** Serves HTTPS with this key and certificate (PEM), as AWS does, instead of HTTP. @default HTTP */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/** A running fake AWS. */
interface FakeAws {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Its Parameter Store, versions and all. */
  readonly ssm: FakeSsm;
  /** Its DynamoDB (the run ledger table, whatever its name). */
  readonly dynamodb: FakeDynamoDb;
  /** The aliases as they are now (UpdateAlias moves them): side, alias name, version. */
  readonly aliases: Record<'web' | 'admin', Record<string, { version: string; release?: string }>>;
  /** The stage's CloudFormation stack (the record's `stack`): its status, which a test sets as a deploy goes. */
  readonly stack: { status: string };
  /** Resolves when an operation's request arrives (its time of arrival). */
  arrival(operation: string): Promise<number>;
  close(): Promise<void>;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** The X-Amz-Target prefix of ECS (JSON 1.1 protocol). */
const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113.';

/** One event of Lambda's response stream (`PayloadChunk`, `InvokeComplete`), encoded as on the wire. */
function event(type: string, contentType: string, body: Uint8Array): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: contentType },
    },
    body,
  });
}

/** The task an admin event names, when the body is one. */
function taskOf(body: string): string | undefined {
  try {
    const task = (JSON.parse(body) as { task?: unknown }).task;
    return typeof task === 'string' ? task : undefined;
  } catch {
    return undefined;
  }
}

function operationOf(request: IncomingMessage, path: string, body: string): { service: string; operation: string } {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (target.startsWith('AmazonSSM.')) return { service: 'ssm', operation: target.slice('AmazonSSM.'.length) };
  if (target.startsWith('Logs_20140328.')) return { service: 'logs', operation: target.slice('Logs_20140328.'.length) };
  if (target.startsWith(ECS_TARGET)) return { service: 'ecs', operation: target.slice(ECS_TARGET.length) };
  if (target.startsWith('DynamoDB_20120810.')) return { service: 'dynamodb', operation: target.slice('DynamoDB_20120810.'.length) };
  const action = /(?:^|&)Action=(\w+)/.exec(body)?.[1];
  if (action === 'DescribeStacks') return { service: 'cloudformation', operation: action };
  if (action !== undefined) return { service: 'sts', operation: action };
  if (/\/response-streaming-invocations$/.test(path)) return { service: 'lambda', operation: 'InvokeWithResponseStream' };
  if (/\/invocations$/.test(path)) return { service: 'lambda', operation: 'Invoke' };
  if (/\/functions\/[^/]+\/aliases\/[^/]+$/.test(path))
    return { service: 'lambda', operation: request.method === 'PUT' ? 'UpdateAlias' : 'GetAlias' };
  if (/\/functions\/[^/]+\/aliases$/.test(path)) return { service: 'lambda', operation: 'ListAliases' };
  if (/\/functions\/[^/]+\/versions$/.test(path)) return { service: 'lambda', operation: 'ListVersionsByFunction' };
  if (/\/functions\/[^/]+\/configuration$/.test(new URL(path, 'http://x').pathname))
    return { service: 'lambda', operation: 'GetFunctionConfiguration' };
  return { service: 'unknown', operation: `${request.method} ${path}` };
}

/**
 * Starts a fake AWS on a free local port, serving `scenario`.
 *
 * @example
 * const aws = await startFakeAws(healthyScenario());
 * // AWS_ENDPOINT_URL=aws.url cnf-admin invoke ...
 */
async function startFakeAws(scenario: AwsScenario, options: FakeAwsOptions = {}): Promise<FakeAws> {
  const record = { ...defaultRecord(scenario), ...scenario.record };
  const requests: ReceivedRequest[] = [];
  const failures = new Map(Object.entries(options.failures ?? {}).map(([operation, list]) => [operation, [...list]]));
  const waiting = new Map<string, ((at: number) => void)[]>();
  const requestId = scenario.requestId ?? 'request-1';
  let runId = '$RUN_ID';
  // SSM keeps versions as AWS does; the stage record is its first parameter.
  const awsNow = (): number => Date.now() + (options.clockSkewMs ?? 0);
  const ssm = new FakeSsm(awsNow);
  const dynamodb = new FakeDynamoDb();
  const ledger = new FakeLedgerTable(scenario.ledger ?? [], () => dynamodb.unmarshalledItems());
  // The aliases, which UpdateAlias moves (a rollback).
  const aliases = {
    web: Object.fromEntries(Object.entries(scenario.aliases?.web ?? {}).map(([name, alias]) => [name, { ...alias }])),
    admin: Object.fromEntries(Object.entries(scenario.aliases?.admin ?? {}).map(([name, alias]) => [name, { ...alias }])),
  } as Record<'web' | 'admin', Record<string, { version: string; release?: string }>>;
  if (scenario.record !== null) ssm.put(stageRecordName(scenario.app, scenario.stage), JSON.stringify(record));
  const stack = { status: scenario.stackStatus ?? 'UPDATE_COMPLETE' };

  const json = (response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void => {
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': requestId,
      date: new Date(awsNow()).toUTCString(),
      ...headers,
    });
    response.end(JSON.stringify(value));
  };
  const fail = (response: ServerResponse, service: string, failure: WireFailure): void => {
    if (service === 'sts' || service === 'cloudformation') {
      response.writeHead(failure.status, { 'content-type': 'text/xml' });
      response.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>${failure.name}</Code><Message>${failure.message ?? ''}</Message></Error></ErrorResponse>`,
      );
      return;
    }
    json(
      response,
      failure.status,
      { __type: failure.name, message: failure.message ?? failure.name },
      { 'x-amzn-errortype': failure.name },
    );
  };

  const answer = (received: ReceivedRequest, response: ServerResponse): void => {
    const { service, operation, path, body } = received;
    const failure = failures.get(operation)?.shift();
    if (failure !== undefined) return fail(response, service, failure);
    const served = options.serve?.(received, response) ?? false;
    if (served === true) return;
    if (served !== false) return fail(response, service, served);
    if (service === 'ssm') {
      const answered = ssm.handle(operation, JSON.parse(body === '' ? '{}' : body) as Record<string, unknown>);
      if ('error' in answered) return fail(response, service, { status: 400, name: answered.error, message: answered.message });
      return json(response, 200, answered.body);
    }
    if (operation === 'DescribeStacks') {
      const name = decodeURIComponent(/(?:^|&)StackName=([^&]*)/.exec(body)?.[1] ?? '');
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
          `<StackName>${name}</StackName><StackId>arn:aws:cloudformation:${scenario.region}:${scenario.account}:stack/${name}/0a1b2c3d</StackId>` +
          `<StackStatus>${stack.status}</StackStatus><CreationTime>2026-11-01T10:00:00.000Z</CreationTime>` +
          `</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
      return;
    }
    if (operation === 'GetCallerIdentity') {
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>arn:aws:sts::${scenario.account}:assumed-role/operator/alice</Arn><UserId>AROAEXAMPLE:alice</UserId><Account>${scenario.account}</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
      return;
    }
    if (operation === 'UpdateAlias') {
      const [, fn, name] = /\/functions\/([^/]+)\/aliases\/([^/?]+)/.exec(path) ?? [];
      const side = decodeURIComponent(fn ?? '') === record.web.functionName ? 'web' : 'admin';
      const version = String((JSON.parse(body || '{}') as { FunctionVersion?: string }).FunctionVersion);
      const known = scenario.versions?.[side]?.find((entry) => entry.version === version);
      if (known === undefined)
        return fail(response, service, { status: 404, name: 'ResourceNotFoundException', message: 'Function not found' });
      const { release } = known;
      aliases[side][decodeURIComponent(name ?? '')] = { version, ...(release === undefined ? {} : { release }) };
      return json(response, 200, { Name: name, FunctionVersion: version });
    }
    if (operation === 'ListAliases') {
      const [, fn] = /\/functions\/([^/]+)\/aliases/.exec(path) ?? [];
      const side = decodeURIComponent(fn ?? '') === record.web.functionName ? 'web' : 'admin';
      const Aliases = Object.entries(aliases[side]).map(([name, alias]) => ({
        Name: name,
        FunctionVersion: alias.version,
        ...(alias.release === undefined ? {} : { Description: releaseDescription(alias.release) }),
      }));
      return json(response, 200, { Aliases });
    }
    if (operation === 'ListVersionsByFunction') {
      const [, fn] = /\/functions\/([^/]+)\/versions/.exec(path) ?? [];
      const side = decodeURIComponent(fn ?? '') === record.web.functionName ? 'web' : 'admin';
      const versions = (scenario.versions?.[side] ?? []).map((entry) => ({
        Version: entry.version,
        ...(entry.release === undefined ? {} : { Description: releaseDescription(entry.release) }),
        LastModified: entry.createdAt,
      }));
      return json(response, 200, { Versions: [{ Version: '$LATEST' }, ...versions] });
    }
    if (operation === 'GetAlias') {
      const [, fn, name] = /\/functions\/([^/]+)\/aliases\/([^/]+)$/.exec(path) ?? [];
      const side = decodeURIComponent(fn ?? '') === record.web.functionName ? 'web' : 'admin';
      const alias = aliases[side][decodeURIComponent(name ?? '')];
      if (alias === undefined)
        return fail(response, service, { status: 404, name: 'ResourceNotFoundException', message: 'Alias not found' });
      return json(response, 200, {
        Name: name,
        FunctionVersion: alias.version,
        ...(alias.release === undefined ? {} : { Description: releaseDescription(alias.release) }),
      });
    }
    if (operation === 'GetFunctionConfiguration') {
      const url = new URL(path, 'http://x');
      const fn = decodeURIComponent(/\/functions\/([^/]+)\/configuration$/.exec(url.pathname)?.[1] ?? '');
      const side = fn === record.web.functionName ? 'web' : 'admin';
      const qualifier = url.searchParams.get('Qualifier') ?? '$LATEST';
      // A qualifier is a version or an alias, as in Lambda: an alias answers for the version it points at.
      const version = aliases[side][qualifier]?.version ?? qualifier;
      const known = scenario.versions?.[side]?.find((entry) => entry.version === version);
      if (known === undefined)
        return fail(response, service, { status: 404, name: 'ResourceNotFoundException', message: 'Function not found' });
      return json(response, 200, {
        Version: version,
        ...(known.release === undefined ? {} : { Description: releaseDescription(known.release) }),
      });
    }
    if (operation === 'InvokeWithResponseStream') {
      const qualifier = new URL(path, 'http://x').searchParams.get('Qualifier') ?? '$LATEST';
      runId = (JSON.parse(body) as { runId?: string }).runId ?? runId;
      response.writeHead(200, {
        'content-type': 'application/vnd.amazon.eventstream',
        // As Lambda: a call by alias runs, and reports, the version the alias points at.
        'x-amz-executed-version': scenario.stream?.executedVersion ?? aliases.admin[qualifier]?.version ?? qualifier,
        'x-amzn-requestid': requestId,
      });
      for (const frame of scenario.stream?.frames ?? []) {
        response.write(event('PayloadChunk', 'application/octet-stream', Buffer.from(encodeFrame(frame).replaceAll('$RUN_ID', runId))));
      }
      response.end(event('InvokeComplete', 'application/json', Buffer.from(JSON.stringify(scenario.stream?.complete ?? {}))));
      return;
    }
    if (operation === 'ListAliases' || operation === 'ListVersionsByFunction') {
      const url = new URL(path, 'http://x');
      const fn = decodeURIComponent(/\/functions\/([^/]+)\//.exec(url.pathname)?.[1] ?? '');
      const side = fn === record.web.functionName ? 'web' : 'admin';
      if (operation === 'ListAliases')
        return json(response, 200, {
          Aliases: Object.entries(scenario.aliases?.[side] ?? {}).map(([name, alias]) => ({
            Name: name,
            FunctionVersion: alias.version,
            ...(alias.release === undefined ? {} : { Description: releaseDescription(alias.release) }),
          })),
        });
      return json(response, 200, {
        Versions: [{ version: '$LATEST' }, ...(scenario.versions?.[side] ?? [])].map((version) => ({
          Version: version.version,
          ...('release' in version && version.release !== undefined ? { Description: releaseDescription(version.release) } : {}),
          LastModified: 'createdAt' in version && version.createdAt !== undefined ? version.createdAt : '2026-11-01T00:00:00.000+0000',
        })),
      });
    }
    const byTask = operation === 'Invoke' ? scenario.invokeByTask?.[taskOf(body) ?? ''] : undefined;
    if (byTask !== undefined) {
      const qualifier = new URL(path, 'http://x').searchParams.get('Qualifier') ?? '$LATEST';
      response.writeHead(200, {
        'content-type': 'application/json',
        'x-amzn-requestid': requestId,
        'x-amz-executed-version': byTask.executedVersion ?? aliases.admin[qualifier]?.version ?? qualifier,
      });
      response.end(byTask.payload);
      return;
    }
    const described = operation === 'Invoke' ? describeAnswer(scenario, body) : undefined;
    if (described !== undefined) {
      // Lambda runs the version the qualifier names (an alias's, or a version picked by --release).
      const qualifier = new URL(path, 'http://x').searchParams.get('Qualifier') ?? '5';
      const executed = aliases.admin[qualifier]?.version ?? (/^\d+$/.test(qualifier) ? qualifier : '5');
      response.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amz-executed-version': executed });
      response.end(described);
      return;
    }
    if (operation === 'Invoke') {
      runId = (JSON.parse(body || '{}') as { runId?: string }).runId ?? runId;
      if (received.headers['x-amz-invocation-type'] === 'Event' || scenario.invoke === undefined) {
        response.writeHead(202, { 'x-amzn-requestid': requestId });
        response.end();
        return;
      }
      const qualifier = new URL(path, 'http://x').searchParams.get('Qualifier') ?? '$LATEST';
      response.writeHead(200, {
        'content-type': 'application/json',
        'x-amz-executed-version': scenario.invoke.executedVersion ?? aliases.admin[qualifier]?.version ?? qualifier,
        'x-amzn-requestid': requestId,
      });
      response.end(scenario.invoke.payload.replaceAll('$RUN_ID', runId));
      return;
    }
    if (operation === 'FilterLogEvents') {
      const events = (scenario.logEvents ?? []).map((entry, index) => ({
        eventId: `event-${index}`,
        timestamp: entry.timestamp ?? Date.now(),
        message: entry.message.replaceAll('$REQUEST_ID', requestId).replaceAll('$RUN_ID', runId),
        logStreamName: entry.logStreamName ?? 'stream',
      }));
      return json(response, 200, { events });
    }
    if (service === 'ecs') return answerEcs(operation, response);
    // One table: the scenario's runs and what the CLI writes (the config history, a rollback's run). The
    // ledger's own queries (#key = :value on its indexes) and GetItem read both; the rest is the written part.
    if (service === 'dynamodb') {
      const input = JSON.parse(body === '' ? '{}' : body) as Record<string, unknown>;
      if (operation === 'Query' && String(input.KeyConditionExpression).startsWith('#key = :value'))
        return json(response, 200, ledger.query(input as unknown as Parameters<FakeLedgerTable['query']>[0]));
      const answered = dynamodb.handle(operation, input);
      if ('error' in answered) return fail(response, service, { status: 400, name: answered.error, message: answered.message });
      if (operation === 'GetItem' && (answered.body as { Item?: unknown }).Item === undefined)
        return json(response, 200, ledger.getItem(input as unknown as Parameters<FakeLedgerTable['getItem']>[0]));
      return json(response, 200, answered.body);
    }
    response.writeHead(501, { 'x-amzn-errortype': 'NotImplemented' });
    response.end(JSON.stringify({ message: `The fake AWS does not serve ${service} ${operation}` }));
  };

  const taskArn = `arn:aws:ecs:${scenario.region}:${scenario.account}:task/${scenario.app}-${scenario.stage}-admin/0123456789abcdef`;
  let describeCalls = 0;
  /** ECS as the scenario's `ecs` tells it: the task's states, one per DescribeTasks (the CLI only watches tasks). */
  const answerEcs = (operation: string, response: ServerResponse): void => {
    if (operation === 'DescribeTasks') {
      const states = scenario.ecs?.states ?? [{ lastStatus: 'RUNNING' }];
      const state = states[Math.min(describeCalls, states.length - 1)] ?? {};
      describeCalls += 1;
      return json(response, 200, { tasks: [{ taskArn, ...state }], failures: [] });
    }
    return fail(response, 'ecs', { status: 400, name: 'InvalidParameterException', message: `The fake ECS does not serve ${operation}` });
  };

  const serve: RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = request.url ?? '/';
      const received: ReceivedRequest = {
        ...operationOf(request, path.split('?')[0] ?? path, body),
        path,
        headers: request.headers,
        body,
        arrivedAt: performance.now(),
      };
      requests.push(received);
      for (const resolve of waiting.get(received.operation) ?? []) resolve(received.arrivedAt);
      waiting.delete(received.operation);
      setTimeout(() => answer(received, response), options.latencyMs ?? 0);
    });
  };
  const server: Server = options.tls === undefined ? createServer(serve) : createHttpsServer(options.tls, serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    requests,
    ssm,
    dynamodb,
    aliases,
    stack,
    arrival: (operation) =>
      new Promise((resolve) => {
        waiting.set(operation, [...(waiting.get(operation) ?? []), resolve]);
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The settings that point the AWS SDK at a fake AWS listening at `url`: the endpoint, a region and example credentials. */
function fakeAwsSettings(url: string): Record<string, string> {
  return { AWS_ENDPOINT_URL: url, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };
}

export { event as streamEvent, fakeAwsSettings, startFakeAws };
export type { FakeAws, FakeAwsOptions, ReceivedRequest, WireFailure };
