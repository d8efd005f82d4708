import { createRequire } from 'node:module';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { releasePhaseHandlerCode } from '../../../lib/construct/release-phase.js';
import { startCfnResponseUrl, type CfnResponseUrl } from '../../support/cfn-response-url.js';

/*
 * The provider runs as Lambda would run its inline code: the CommonJS text
 * the template carries, loaded with `require` for the AWS SDK. The SDK
 * clients are mocked at the client (the CommonJS build the code requires);
 * CloudFormation's response URL is a local HTTP server.
 */
const requireCjs = createRequire(import.meta.url);
const lambdaSdk = requireCjs('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
const cloudFormationSdk = requireCjs('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
const lambdaMock = mockClient(lambdaSdk.LambdaClient);
const cloudFormationMock = mockClient(cloudFormationSdk.CloudFormationClient);

type Handler = (event: CloudFormationCustomResourceEvent, context: Context) => Promise<void>;

function loadInlineHandler(): Handler {
  const module = { exports: {} as { handler?: Handler } };
  new Function('module', 'exports', 'require', releasePhaseHandlerCode())(module, module.exports, requireCjs);
  return module.exports.handler!;
}

let cfn: CfnResponseUrl;
let handler: Handler;

beforeAll(async () => {
  // The provider logs its outcome for CloudWatch; the tests read the response instead.
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  handler = loadInlineHandler();
  cfn = await startCfnResponseUrl();
});

afterEach(() => {
  lambdaMock.reset();
  cloudFormationMock.reset();
});

afterAll(async () => {
  vi.restoreAllMocks();
  // The construct tests share their processes (isolate: false): the clients are given back whole.
  lambdaMock.restore();
  cloudFormationMock.restore();
  await cfn.close();
});

const RELEASE = 'r-0123456789ab';
const ADMIN_VERSION = 'arn:aws:lambda:eu-west-1:123456789012:function:notes-prod-admin:7';
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/notes-prod/0a1b2c3d';

function event(requestType: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  cfn.responses.length = 0;
  const common = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: cfn.url,
    StackId: STACK_ID,
    RequestId: '6f1c2d3e-0000-4000-8000-00000000beef',
    LogicalResourceId: 'AppReleasePhase2069B6CC',
    ResourceType: 'Custom::CnfReleasePhase',
    ResourceProperties: { ServiceToken: 'x', FunctionName: ADMIN_VERSION, Task: 'migrate', ArgsJson: '{"steps":2}', Release: RELEASE },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  if (requestType === 'Update')
    return {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: 'AppReleasePhase2069B6CC',
      OldResourceProperties: { ServiceToken: 'x' },
    };
  return { ...common, RequestType: 'Delete', PhysicalResourceId: 'AppReleasePhase2069B6CC' };
}

const context = (remainingMs = 120_000) => ({ getRemainingTimeInMillis: () => remainingMs }) as Context;

/** What the admin function answers, as response-stream events. */
function streams(...chunks: (string | { error: string; details: string })[]) {
  return {
    EventStream: (async function* () {
      for (const chunk of chunks) {
        if (typeof chunk === 'string') yield { PayloadChunk: { Payload: new TextEncoder().encode(chunk) } };
        else yield { InvokeComplete: { ErrorCode: chunk.error, ErrorDetails: chunk.details } };
      }
      yield { InvokeComplete: {} };
    })(),
  };
}

const runResult = (exitCode: number, error?: { name: string; message: string }) => ({
  runId: `release-${RELEASE}-6f1c2d3e-0000-4000-8000-00000000beef`,
  task: 'migrate',
  release: RELEASE,
  exitCode,
  durationMs: 812,
  ...(error === undefined ? {} : { error }),
});

describe('the release phase provider', () => {
  it('runs the release task on the new admin version with a run id of its own, and succeeds on exit code 0', async () => {
    // Given an admin function that answers a plain run result
    lambdaMock.on(lambdaSdk.InvokeWithResponseStreamCommand).resolves(streams(JSON.stringify(runResult(0))) as never);
    // When CloudFormation creates the release phase
    await handler(event('Create'), context());
    // Then the new version ran the task, once, as the release phase
    const [call] = lambdaMock.commandCalls(lambdaSdk.InvokeWithResponseStreamCommand);
    expect(call!.args[0].input.FunctionName).toBe(ADMIN_VERSION);
    expect(JSON.parse(new TextDecoder().decode(call!.args[0].input.Payload as Uint8Array))).toEqual({
      task: 'migrate',
      args: { steps: 2 },
      runId: `release-${RELEASE}-6f1c2d3e-0000-4000-8000-00000000beef`,
      source: 'release-phase',
      caller: 'cloudformation:notes-prod',
    });
    expect(cfn.responses).toEqual([
      expect.objectContaining({
        Status: 'SUCCESS',
        PhysicalResourceId: 'AppReleasePhase2069B6CC',
        RequestId: '6f1c2d3e-0000-4000-8000-00000000beef',
        Data: { RunId: `release-${RELEASE}-6f1c2d3e-0000-4000-8000-00000000beef`, ExitCode: '0' },
      }),
    ]);
  });

  it('fails the deploy when the task exits non-zero, reading the last result frame of NDJSON', async () => {
    // Given an admin function that streams frames, cut anywhere
    const frames = [
      JSON.stringify({ type: 'log', line: 'Applying 0003_add_tags' }),
      JSON.stringify({ type: 'result', result: runResult(1, { name: 'DatabaseError', message: 'relation "tags" already exists' }) }),
    ].join('\n');
    lambdaMock
      .on(lambdaSdk.InvokeWithResponseStreamCommand)
      .resolves(streams(frames.slice(0, 50), frames.slice(50, 51), frames.slice(51)) as never);
    await handler(event('Create'), context());
    expect(cfn.responses).toHaveLength(1);
    expect(cfn.responses[0]).toMatchObject({ Status: 'FAILED', Data: { ExitCode: '1' } });
    expect(cfn.responses[0]!.Reason).toContain(
      `Release task migrate exited with 1 on release ${RELEASE}: DatabaseError: relation "tags" already exists`,
    );
  });

  it('passes over what is not JSON in the answer, a plain line among the frames, and reads the result frame', async () => {
    // Given an answer with a line that is not a frame
    const answer = ['Runtime warning: something on stdout', JSON.stringify({ type: 'result', result: runResult(0) })].join('\n');
    lambdaMock.on(lambdaSdk.InvokeWithResponseStreamCommand).resolves(streams(answer) as never);
    await handler(event('Create'), context());
    expect(cfn.responses[0]).toMatchObject({ Status: 'SUCCESS', Data: { ExitCode: '0' } });
  });

  it('fails the deploy when the admin function itself fails', async () => {
    lambdaMock
      .on(lambdaSdk.InvokeWithResponseStreamCommand)
      .resolves(streams({ error: 'Unhandled', details: 'Runtime.ImportModuleError' }) as never);
    await handler(event('Create'), context());
    expect(cfn.responses[0]).toMatchObject({ Status: 'FAILED' });
    expect(cfn.responses[0]!.Reason).toBe('The release phase failed: The admin function failed (Unhandled): Runtime.ImportModuleError');
  });

  it('fails the deploy when the answer holds no run result', async () => {
    lambdaMock.on(lambdaSdk.InvokeWithResponseStreamCommand).resolves(streams('{"errorType":"Error","errorMessage":"boom"}') as never);
    await handler(event('Create'), context());
    expect(cfn.responses[0]).toMatchObject({ Status: 'FAILED' });
    expect(cfn.responses[0]!.Reason).toContain('gave no run result');
  });

  it('fails the deploy, naming the error, when the invoke is refused', async () => {
    lambdaMock
      .on(lambdaSdk.InvokeWithResponseStreamCommand)
      .rejects(Object.assign(new Error('not authorized to perform: lambda:InvokeFunction'), { name: 'AccessDeniedException' }));
    await handler(event('Create'), context());
    expect(cfn.responses[0]!.Reason).toBe(
      'The release phase failed: AccessDeniedException: not authorized to perform: lambda:InvokeFunction',
    );
  });

  it('answers before Lambda would stop it when the task outlasts the wait', async () => {
    lambdaMock.on(lambdaSdk.InvokeWithResponseStreamCommand).callsFake(() => new Promise(() => undefined));
    await handler(event('Create'), context(15_050));
    expect(cfn.responses[0]).toMatchObject({ Status: 'FAILED' });
    expect(cfn.responses[0]!.Reason).toContain('did not finish within the 0 s the release phase can wait');
  });

  it('runs again on an update that moves forward', async () => {
    cloudFormationMock
      .on(cloudFormationSdk.DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 'notes-prod', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date() }] });
    lambdaMock.on(lambdaSdk.InvokeWithResponseStreamCommand).resolves(streams(JSON.stringify(runResult(0))) as never);
    await handler(event('Update'), context());
    expect(lambdaMock.commandCalls(lambdaSdk.InvokeWithResponseStreamCommand)).toHaveLength(1);
    expect(cfn.responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'AppReleasePhase2069B6CC' });
  });

  it('does not run the previous release while the stack rolls back', async () => {
    cloudFormationMock
      .on(cloudFormationSdk.DescribeStacksCommand, { StackName: STACK_ID })
      .resolves({ Stacks: [{ StackName: 'notes-prod', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date() }] });
    await handler(event('Update'), context());
    expect(lambdaMock.commandCalls(lambdaSdk.InvokeWithResponseStreamCommand)).toHaveLength(0);
    expect(cfn.responses[0]).toMatchObject({ Status: 'SUCCESS' });
  });

  it('runs nothing when the release phase is removed', async () => {
    await handler(event('Delete'), context());
    expect(lambdaMock.calls()).toHaveLength(0);
    expect(cfn.responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'AppReleasePhase2069B6CC' });
  });
});
