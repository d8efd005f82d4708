/**
 * A run's log that AWS would not give (a 5xx, or throttling, after the SDK's
 * retries), through the real binary and the real SDK on the wire: a log that
 * could not be read is not an empty log. `runs show` shows the record, says
 * the log could not be read and why, and exits 75, as `logs` and
 * `logs --follow` do; a 5xx and throttling end alike. A dropped connection
 * ends both with 69, as every unreachable AWS call does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fakeAwsEnvironment } from '../support/aws-cli.js';
import { LEDGER_RECORD, RUN_ID } from '../support/aws-command-runs.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { healthyScenario } from '../support/aws-scenario.js';
import { runCli } from '../support/cli.js';
import { startFakeAws, type FakeAws, type WireFailure } from '../support/fake-aws-server.js';

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

/** A finished run, as the admin function records its end. */
const FINISHED_RUN = { ...LEDGER_RECORD, endedAt: '2026-11-24T14:39:28.000Z', exitCode: 0, durationMs: 1000 };

const SERVER_ERROR: WireFailure = { status: 500, name: 'ServiceUnavailableException', message: 'Service unavailable' };
const THROTTLED: WireFailure = { status: 400, name: 'ThrottlingException', message: 'Rate exceeded' };

/** The SDK's standard retries: 3 attempts of each control-plane call. */
const ATTEMPTS = 3;

const servers: FakeAws[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A stage with one finished run, whose log group answers every FilterLogEvents with `failure`. */
async function stageWhoseLogFails(failure: WireFailure): Promise<FakeAws> {
  const server = await startFakeAws(healthyScenario({ ledger: [FINISHED_RUN] }), {
    failures: { FilterLogEvents: Array.from({ length: ATTEMPTS }, () => failure) },
  });
  servers.push(server);
  return server;
}

function cnfAdmin(server: FakeAws, args: readonly string[]) {
  return runCli([...args, '--stage', 'prod'], { cwd: FIXTURE_ROOT, env: fakeAwsEnvironment(server.url, { CNF_LOG_WAIT_SECONDS: '1' }) });
}

describe("a run's log whose connection AWS drops, also after the SDK's retries", () => {
  it('runs show: the record, then that the log could not be read and why; 69, as logs', async () => {
    const server = await startFakeAws(healthyScenario({ ledger: [FINISHED_RUN] }), {
      serve: (received, response) => {
        if (received.operation !== 'FilterLogEvents') return false;
        response.socket?.destroy();
        return true;
      },
    });
    servers.push(server);
    for (const args of [
      ['runs', 'show', RUN_ID],
      ['logs', RUN_ID],
    ]) {
      const result = await cnfAdmin(server, args);
      expect(result.stderr).toContain(`The log of run ${RUN_ID} could not be read: The connection to AWS was dropped`);
      expect(result.stderr).not.toContain('No log to show');
      expect(result.code).toBe(69);
    }
  });
});

describe("a run's log group that is not there", () => {
  it('runs show: the record, then a ! line that there is no log to show; 0', async () => {
    const server = await startFakeAws(healthyScenario({ ledger: [FINISHED_RUN] }), {
      failures: {
        FilterLogEvents: [{ status: 400, name: 'ResourceNotFoundException', message: 'The specified log group does not exist.' }],
      },
    });
    servers.push(server);
    const result = await cnfAdmin(server, ['runs', 'show', RUN_ID]);
    expect(result.stdout).toContain(`run      ${RUN_ID}`);
    expect(result.stderr).toContain('No log to show');
    expect(result.stderr).not.toContain('could not be read');
    expect(result.code).toBe(0);
  });
});

describe.each([
  ['a 5xx', SERVER_ERROR, 'AWS failed logs:FilterLogEvents'],
  ['throttling', THROTTLED, 'AWS throttled logs:FilterLogEvents'],
])("a run's log that AWS answers with %s, also after the SDK's retries", (_what, failure, why) => {
  it('runs show: the record, then that the log could not be read and why; 75', async () => {
    const server = await stageWhoseLogFails(failure);
    const result = await cnfAdmin(server, ['runs', 'show', RUN_ID]);
    expect(result.stdout).toContain(`run      ${RUN_ID}`);
    expect(result.stdout).toContain('exit     0');
    expect(result.stderr).toContain(`The log of run ${RUN_ID} could not be read: ${why}`);
    expect(result.stderr).not.toContain('No log to show');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.code).toBe(75);
    expect(server.requests.filter((request) => request.operation === 'FilterLogEvents')).toHaveLength(ATTEMPTS);
  });

  it.each([[[]], [['--follow']]])('logs %j: that the log could not be read and why; 75', async (flags) => {
    const server = await stageWhoseLogFails(failure);
    const result = await cnfAdmin(server, ['logs', RUN_ID, ...flags]);
    expect(result.stderr).toContain(`The log of run ${RUN_ID} could not be read: ${why}`);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.code).toBe(75);
  });
});
