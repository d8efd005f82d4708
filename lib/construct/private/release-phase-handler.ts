/*
 * The release phase's custom resource provider. It ships as inline code
 * (esbuild bundles this file as CommonJS at synth): it may import only the
 * AWS SDK that the Lambda runtime provides, types, and `cfn-response`.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeWithResponseStreamCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { respond, type Outcome } from './cfn-response.js';
import type { AdminEvent, RunResult } from '../../core/run.js';

/** What the custom resource passes (CloudFormation turns every leaf into a string). */
interface ReleasePhaseProperties {
  readonly ServiceToken: string;
  /** The admin version to run: its qualified ARN. */
  readonly FunctionName: string;
  readonly Task: string;
  /** The task's args as JSON, so that their types survive CloudFormation. */
  readonly ArgsJson: string;
  readonly Release: string;
}

/** Answer this long before Lambda would end the provider, so CloudFormation never waits in vain. */
const ANSWER_MARGIN_MS = 15_000;

const lambda = new LambdaClient({});
const cloudFormation = new CloudFormationClient({});

/**
 * Runs the release task on the new admin version before the aliases move,
 * and fails the deploy when the task's exit code is not 0.
 */
async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  const waitMs = Math.max(0, context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          Status: 'FAILED',
          Reason: `The release task did not finish within the ${Math.round(waitMs / 1000)} s the release phase can wait.`,
        }),
      waitMs,
    );
  });
  let outcome: Outcome;
  try {
    outcome = await Promise.race([releasePhase(event), deadline]);
  } catch (error) {
    const { name, message } = error as Error;
    // A plain Error's name says nothing; an SDK error's (AccessDeniedException) does.
    outcome = { Status: 'FAILED', Reason: `The release phase failed: ${name === 'Error' ? '' : `${name}: `}${message}` };
  } finally {
    clearTimeout(timer);
  }
  console.log(JSON.stringify({ message: 'Release phase outcome', requestType: event.RequestType, ...outcome }));
  await respond(event, outcome);
}

async function releasePhase(event: CloudFormationCustomResourceEvent): Promise<Outcome> {
  if (event.RequestType === 'Delete') return { Status: 'SUCCESS', Reason: 'Nothing runs when the release phase is removed.' };
  if (event.RequestType === 'Update' && (await isRollingBack(event.StackId))) {
    return { Status: 'SUCCESS', Reason: 'The stack is rolling back: the previous release is not run again.' };
  }
  const props = event.ResourceProperties as unknown as ReleasePhaseProperties;
  // One run per CloudFormation request: a retried delivery of the same request finds it in the ledger.
  const runId = `release-${props.Release}-${event.RequestId}`;
  const adminEvent: AdminEvent = {
    task: props.Task,
    args: JSON.parse(props.ArgsJson) as Record<string, unknown>,
    runId,
    source: 'release-phase',
    caller: `cloudformation:${event.StackId.split('/')[1] ?? event.StackId}`,
  };
  const output = await invoke(props.FunctionName, adminEvent);
  const result = runResultOf(output);
  if (result === undefined) {
    return { Status: 'FAILED', Reason: `Release task ${props.Task} (run ${runId}) gave no run result: ${output.slice(-500)}` };
  }
  const data = { RunId: result.runId, ExitCode: String(result.exitCode) };
  if (result.exitCode !== 0) {
    const error = result.error === undefined ? '' : `: ${result.error.name}: ${result.error.message}`;
    return {
      Status: 'FAILED',
      Reason: `Release task ${props.Task} exited with ${result.exitCode} on release ${props.Release}${error} (run ${result.runId}). The deploy rolls back; the aliases keep the previous release.`,
      Data: data,
    };
  }
  return { Status: 'SUCCESS', Reason: `Release task ${props.Task} exited with 0 (run ${result.runId}).`, Data: data };
}

async function isRollingBack(stackId: string): Promise<boolean> {
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }));
  return Stacks?.[0]?.StackStatus === 'UPDATE_ROLLBACK_IN_PROGRESS';
}

/** Invokes the admin version with response streaming and collects what it answers. */
async function invoke(functionName: string, adminEvent: AdminEvent): Promise<string> {
  const response = await lambda.send(
    new InvokeWithResponseStreamCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(adminEvent)) }),
  );
  const decoder = new TextDecoder();
  let output = '';
  for await (const item of response.EventStream ?? []) {
    if (item.PayloadChunk?.Payload !== undefined) output += decoder.decode(item.PayloadChunk.Payload, { stream: true });
    if (item.InvokeComplete?.ErrorCode !== undefined) {
      throw new Error(
        `The admin function failed (${item.InvokeComplete.ErrorCode}): ${item.InvokeComplete.ErrorDetails ?? output.slice(-500)}`,
      );
    }
  }
  return output + decoder.decode();
}

/**
 * The run result in what the admin function answered: a plain run result
 * (JSON), or NDJSON frames whose last `result` frame carries it.
 */
function runResultOf(output: string): RunResult | undefined {
  const whole = parseJson(output);
  if (isRunResult(whole)) return whole;
  let result: RunResult | undefined;
  for (const line of output.split('\n')) {
    const frame = parseJson(line) as { type?: unknown; result?: unknown } | undefined;
    if (frame?.type === 'result' && isRunResult(frame.result)) result = frame.result;
  }
  return result;
}

/** The JSON value of `text`, or undefined when it is not JSON (a log line, a partial frame). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // Text that is not JSON is expected here (NDJSON as a whole, a log line); anything else is not.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * A run result's key fields. This handler ships as inline code that may
 * require only the SDK of the Lambda runtime, so it cannot load the schema
 * (`lib/core/run-result-schema.ts`); it only needs the run id and the exit code.
 */
function isRunResult(value: unknown): value is RunResult {
  const candidate = value as Partial<RunResult> | null | undefined;
  return (
    typeof candidate === 'object' && candidate !== null && typeof candidate.runId === 'string' && typeof candidate.exitCode === 'number'
  );
}

export { handler };
