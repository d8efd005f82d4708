import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { CloudFormationClient } from './sdk/cloudformation.js';
import { CloudWatchLogsClient } from './sdk/logs.js';
import type { DynamoDBClient } from './sdk/dynamodb.js';
import type { ECSClient } from './sdk/ecs.js';
import { LambdaClient } from './sdk/lambda.js';
import { SSMClient } from './sdk/ssm.js';
import { ServerClock } from './server-clock.js';
import { STSClient } from './sdk/sts.js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import { UsageError } from '../../core/errors.js';
import { CNF_VARIABLES, readCnfEnvironment } from '../../core/cnf-environment.js';
import { extraCaTrust } from './extra-ca-trust.js';

/** Where and as whom the CLI calls AWS. */
interface AwsClientOptions {
  /**
   * The region (from `--region`, or the stage's `region` in cdk.json).
   *
   * @default - the SDK's chain: AWS_REGION, then the profile's region
   */
  readonly region?: string;
  /**
   * The shared-config profile (from `--profile`).
   *
   * @default - the SDK's chain: AWS_PROFILE, then `default`
   */
  readonly profile?: string;
}

/**
 * TCP keep-alive probes start after this much silence on a connection, so
 * that NAT gateways and proxies (which drop idle flows after 60 s to 350 s)
 * keep a connection open while a 15-minute run prints nothing.
 */
const KEEP_ALIVE_PROBE_MS = 30_000;

/** The invoke's timeouts exceed the function's own by this much: a run ends before the CLI gives up on it. */
const INVOKE_TIMEOUT_MARGIN_SECONDS = 60;

/** How long a connection to an AWS endpoint may take to open. */
const CONNECT_TIMEOUT_MS = 5_000;

/** How long a control-plane call waits for AWS's answer, unless `CNF_AWS_TIMEOUT_SECONDS` says otherwise. */
const DEFAULT_AWS_TIMEOUT_SECONDS = 10;

/** The variable that sets how long a control-plane call waits for AWS's answer, in seconds. */
const AWS_TIMEOUT_VARIABLE = CNF_VARIABLES.awsTimeoutSeconds;

/**
 * How long a control-plane call waits for AWS to answer (an endpoint that
 * takes the connection and never answers, a proxy that hangs): 10 s, or
 * `CNF_AWS_TIMEOUT_SECONDS`. The SDK retries a call that timed out, as any
 * network fault, up to its attempts.
 *
 * @throws UsageError when the variable is not a positive number of seconds.
 */
function awsTimeoutSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const text = readCnfEnvironment(env).awsTimeoutSeconds;
  if (text === undefined) return DEFAULT_AWS_TIMEOUT_SECONDS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`${AWS_TIMEOUT_VARIABLE} takes a number of seconds above 0, got: ${JSON.stringify(text)}`);
  }
  return seconds;
}

/** The SDK's own connection pool size, kept for the shared agents. */
const MAX_SOCKETS = 50;

/**
 * The HTTP settings of the invoke: no request or socket timeout shorter than
 * the function's timeout (plus a margin), and keep-alive probes on the
 * shared agents. A request that passes its timeout fails instead of only
 * warning: by then the function has ended for sure.
 */
function invokeHttpOptions(
  agents: Pick<NodeHttpHandlerOptions, 'httpAgent' | 'httpsAgent'>,
  functionTimeoutSeconds: number,
): NodeHttpHandlerOptions {
  const timeoutMs = (functionTimeoutSeconds + INVOKE_TIMEOUT_MARGIN_SECONDS) * 1000;
  return {
    ...agents,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    requestTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    throwOnRequestTimeout: true,
  };
}

/**
 * The AWS SDK clients of one CLI command, built on the SDK's standard
 * configuration (credentials chain, region, `AWS_ENDPOINT_URL` and
 * `AWS_ENDPOINT_URL_<SERVICE>`: no endpoint is set here, so the SDK's own
 * resolution applies).
 *
 * All clients share one credentials provider, resolved once (a profile that
 * assumes a role assumes it once, not once per client), and one pair of
 * keep-alive connection pools, so that the invoke reuses the connection the
 * resolution opened to Lambda. Control-plane clients keep the SDK's standard
 * retries; the invoke client never retries (see {@link AwsClients.invoker}).
 */
class AwsClients {
  readonly lambda: LambdaClient;
  readonly ssm: SSMClient;
  readonly sts: STSClient;
  readonly logs: CloudWatchLogsClient;
  /** AWS's clock, as SSM's answers tell it. */
  readonly ssmClock = new ServerClock();
  readonly #options: AwsClientOptions;
  readonly #credentials: ReturnType<typeof defaultProvider>;
  readonly #agents = {
    httpAgent: new HttpAgent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_PROBE_MS, maxSockets: MAX_SOCKETS }),
    // The certificates of NODE_EXTRA_CA_CERTS too, where the launcher started Node without them (extra-ca-trust.ts).
    httpsAgent: new HttpsAgent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_PROBE_MS, maxSockets: MAX_SOCKETS, ...extraCaTrust() }),
  };
  readonly #invokers = new Map<number, LambdaClient>();
  readonly #timeoutSeconds = awsTimeoutSeconds();
  #dynamodb: Promise<DynamoDBClient> | undefined;
  #ecs: Promise<ECSClient> | undefined;
  #cloudFormation: Promise<CloudFormationClient> | undefined;

  constructor(options: AwsClientOptions = {}) {
    this.#options = options;
    this.#credentials = defaultProvider({
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      // The clients the chain makes of its own (STS for a role, SSO) connect as the control plane's do: through the same
      // agents (trusting the same certificates), with the same timeouts.
      clientConfig: { requestHandler: new NodeHttpHandler(this.#controlPlaneHttp()) },
    });
    this.lambda = new LambdaClient(this.#config());
    this.ssm = new SSMClient(this.#config());
    this.ssmClock.watch(this.ssm);
    this.sts = new STSClient(this.#config());
    this.logs = new CloudWatchLogsClient(this.#config());
  }

  /**
   * The Lambda client that invokes the admin function: one attempt only (a
   * retried invoke could run a migration twice; throttling, which means the
   * function did not run, is retried by the caller), and timeouts no shorter
   * than the function's.
   */
  invoker(functionTimeoutSeconds: number): LambdaClient {
    let client = this.#invokers.get(functionTimeoutSeconds);
    if (client === undefined) {
      client = new LambdaClient({
        ...this.#config(invokeHttpOptions(this.#agents, functionTimeoutSeconds)),
        maxAttempts: 1,
      });
      this.#invokers.set(functionTimeoutSeconds, client);
    }
    return client;
  }

  /** The DynamoDB client (the run ledger), loaded only by the commands that read the ledger. */
  dynamodb(): Promise<DynamoDBClient> {
    this.#dynamodb ??= import('./sdk/dynamodb.js').then(({ DynamoDBClient }) => new DynamoDBClient(this.#config()));
    return this.#dynamodb;
  }

  /**
   * The ECS client (container tasks), loaded only by the commands that start,
   * watch or stop one. Its RunTask may be retried: the run id is its client token.
   */
  ecs(): Promise<ECSClient> {
    this.#ecs ??= import('./sdk/ecs.js').then(({ ECSClient }) => new ECSClient(this.#config()));
    return this.#ecs;
  }

  /** The CloudFormation client (whether the stage's stack is being deployed), loaded only by the commands that ask. */
  cloudFormation(): Promise<CloudFormationClient> {
    this.#cloudFormation ??= import('./sdk/cloudformation.js').then(({ CloudFormationClient }) => new CloudFormationClient(this.#config()));
    return this.#cloudFormation;
  }

  /** The HTTP settings of control-plane calls: a connection in 5 s, an answer within the AWS timeout, or a TimeoutError. */
  #controlPlaneHttp(): NodeHttpHandlerOptions {
    return {
      ...this.#agents,
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: this.#timeoutSeconds * 1000,
      throwOnRequestTimeout: true,
    };
  }

  /** The region the clients call, as the SDK resolved it. */
  region(): Promise<string> {
    return this.lambda.config.region();
  }

  #config(http: NodeHttpHandlerOptions = this.#controlPlaneHttp()) {
    return {
      credentials: this.#credentials,
      requestHandler: new NodeHttpHandler(http),
      ...(this.#options.region === undefined ? {} : { region: this.#options.region }),
      ...(this.#options.profile === undefined ? {} : { profile: this.#options.profile }),
    };
  }
}

export { AWS_TIMEOUT_VARIABLE, AwsClients, awsTimeoutSeconds, INVOKE_TIMEOUT_MARGIN_SECONDS, KEEP_ALIVE_PROBE_MS };
export type { AwsClientOptions };
