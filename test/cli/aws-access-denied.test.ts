/**
 * AccessDenied on each AWS call the CLI makes: the message names the IAM
 * action and the exit code is 77, except where the CLI has another way (it
 * polls when it may not tail; an attached run keeps its exit code when its
 * log cannot be read, and says why).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../../lib/cli/main.js';
import { COMMAND_RUNS, type CommandRun } from '../support/aws-command-runs.js';
import { healthyScenario, installScenario, type ScenarioCommand } from '../support/aws-scenario.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { memoryIo } from '../support/memory-io.js';

/** Each call, the IAM action its message names, and how the command ends without it. */
const CALLS: readonly { readonly command: ScenarioCommand; readonly action: string; readonly code: number }[] = [
  { command: 'GetParameter', action: 'ssm:GetParameter', code: 77 },
  { command: 'GetAlias', action: 'lambda:GetAlias', code: 77 },
  { command: 'GetCallerIdentity', action: 'sts:GetCallerIdentity', code: 77 },
  { command: 'GetFunctionConfiguration', action: 'lambda:GetFunctionConfiguration', code: 77 },
  { command: 'ListVersionsByFunction', action: 'lambda:ListVersionsByFunction', code: 77 },
  { command: 'ListAliases', action: 'lambda:ListAliases', code: 77 },
  { command: 'InvokeWithResponseStream', action: 'lambda:InvokeFunction', code: 77 },
  { command: 'Invoke', action: 'lambda:InvokeFunction', code: 77 },
  { command: 'GetParametersByPath', action: 'ssm:GetParametersByPath', code: 77 },
  { command: 'PutParameter', action: 'ssm:PutParameter', code: 77 },
  { command: 'DeleteParameter', action: 'ssm:DeleteParameter', code: 77 },
  { command: 'Query', action: 'dynamodb:Query', code: 77 },
  { command: 'GetItem', action: 'dynamodb:GetItem', code: 77 },
  { command: 'FilterLogEvents', action: 'logs:FilterLogEvents', code: 0 },
  { command: 'StartLiveTail', action: 'logs:StartLiveTail', code: 0 },
  // Made while following a container run that has started: the run goes on, and the CLI says how to follow it (69).
  { command: 'DescribeTasks', action: 'ecs:DescribeTasks', code: 69 },
];

const DENIED = { name: 'AccessDeniedException', message: 'not authorized', fault: 'client', status: 403 } as const;

async function runWith(run: CommandRun, errors: Partial<Record<ScenarioCommand, readonly (typeof DENIED)[]>> = {}) {
  const aws = installScenario(healthyScenario({ ...run.scenario, errors }));
  try {
    const io = memoryIo(FIXTURE_ROOT, { CNF_LOG_WAIT_SECONDS: '0.1' }, run.input);
    return { code: await cli([...run.args], io), stderr: io.stderrText(), sent: aws.sent().map((call) => call.command) };
  } finally {
    aws.restore();
  }
}

describe('AccessDenied on each AWS call', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each(CALLS)('$command: names $action, and ends with $code', async ({ command, action, code }) => {
    // given: the first command line that makes the call
    let run: CommandRun | undefined;
    for (const candidate of COMMAND_RUNS) {
      if ((await runWith(candidate)).sent.includes(`${command}Command`)) {
        run = candidate;
        break;
      }
    }
    expect(run, `no command line sends ${command}`).toBeDefined();

    // when: the call is denied
    const denied = await runWith(run as CommandRun, { [command]: [DENIED, DENIED] });

    // then
    expect(denied.code).toBe(code);
    expect(denied.stderr).toContain(code === 77 ? `Permission denied: ${action}` : action);
    expect(denied.stderr).not.toMatch(/\n\s+at /);
  });
});
