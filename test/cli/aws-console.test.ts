/**
 * `cnf-admin console` and `cnf-admin run` on an AWS stage, in-process, with
 * AWS mocked at the SDK clients.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../../lib/cli/main.js';
import { RELEASE, runLine } from '../support/aws-scenario.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { memoryIo } from '../support/memory-io.js';
import { useAwsScenario } from '../support/aws-test-scenario.js';

const given = useAwsScenario();

async function run(args: string[], input = '') {
  const io = memoryIo(FIXTURE_ROOT, { CNF_LOG_WAIT_SECONDS: '0.2' }, input);
  return { code: await cli(args, io), io };
}

/** The admin events the CLI sent to the function, in order. */
function sentEvents(installed: ReturnType<typeof given>): Record<string, unknown>[] {
  return installed
    .sent()
    .filter((call) => call.command === 'InvokeWithResponseStreamCommand')
    .map((call) => JSON.parse(Buffer.from(call.input.Payload as Uint8Array).toString('utf8')) as Record<string, unknown>);
}

const consoleAnswer = (output: Record<string, unknown>) => ({
  frames: [
    { type: 'log' as const, line: runLine('Run started') },
    { type: 'log' as const, line: 'seen 2' },
    { type: 'result' as const, result: { runId: '$RUN_ID', task: 'cnf:console', release: RELEASE, exitCode: 0, durationMs: 3, output } },
  ],
});

describe('the console on an AWS stage', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is refused with 77 where the stage keeps it off, invoking nothing', async () => {
    const installed = given({});
    const { code, io } = await run(['console', '--stage', 'prod', '-e', '1 + 1']);
    expect(code).toBe(77);
    expect(io.stderrText()).toContain('The console is off on stage prod: it evaluates arbitrary code, so a stage must turn it on.');
    expect(io.stderrText()).toContain("console: true on the stage's AdminApp construct");
    expect(installed.sent().some((call) => call.command.startsWith('Invoke'))).toBe(false);
  });

  it("invokes the live admin version once per input, carrying the session's variables from each answer to the next input", async () => {
    const installed = given({
      record: { console: true },
      stream: consoleAnswer({ result: '42', names: ['total'], state: 'c2F2ZWQ=', dropped: ['helper'] }),
    });
    const { code, io } = await run(['console', '--stage', 'prod'], 'const total = 40\ntotal + 2\n');
    expect(code).toBe(0);
    const events = sentEvents(installed);
    expect(events).toHaveLength(2);
    expect(events.map((event) => [event.task, (event.args as { code: string }).code])).toEqual([
      ['cnf:console', 'const total = 40'],
      ['cnf:console', 'total + 2'],
    ]);
    expect((events[0]?.args as { state: string }).state).toBe('');
    expect((events[1]?.args as { state: string }).state).toBe('c2F2ZWQ=');
    expect(events[0]?.caller).toBe('arn:aws:sts::123456789012:assumed-role/operator/alice');
    expect(io.stdoutText()).toContain('seen 2');
    expect(io.stdoutText()).toContain('42');
    expect(io.stdoutText()).not.toContain('Run started');
    expect(io.stderrText()).toContain('Not carried over to the next input (only plain data travels between invocations): helper');
    // a console input waits for no CloudWatch log
    expect(installed.sent().some((call) => call.command === 'FilterLogEventsCommand')).toBe(false);
  });
});

describe('run on an AWS stage', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('invokes the script by its path and exits with its exit code', async () => {
    const installed = given({
      stream: {
        frames: [{ type: 'result', result: { runId: '$RUN_ID', task: 'scripts/fix.ts', release: RELEASE, exitCode: 4, durationMs: 9 } }],
      },
      logEvents: [{ message: 'REPORT RequestId: 11111111-2222-3333-4444-555555555555' }],
    });
    const { code } = await run(['run', 'scripts/fix.ts', '--stage', 'prod', '--', '--dry-run']);
    expect(code).toBe(4);
    expect(sentEvents(installed)[0]).toMatchObject({ task: 'scripts/fix.ts', argv: ['--dry-run'], release: RELEASE });
  });
});
