/**
 * An invoke that Lambda refuses or fails with a message quoting the payload
 * it was sent (`InvalidRequestContentException: Could not parse request body
 * into json: Unrecognized token '…'`), through the real binary and the real
 * SDK on the wire: the CLI's error, its `--json` document and its stack
 * (`CNF_DEBUG=1`) do not quote the task's args, which may hold a secure
 * value the CLI cannot tell on AWS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { fakeAwsEnvironment } from '../support/aws-cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { healthyScenario } from '../support/aws-scenario.js';
import { startFakeAws, type FakeAws, type WireFailure } from '../support/fake-aws-server.js';

const SECRET = 'Quoted-By-Lambda-7c21';
const servers: FakeAws[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** `operation` fails with `failure` where it sends the task's event (the detached `Invoke`, not the one that asks for the tasks). */
async function refusedInvoke(operation: string, failure: WireFailure, flags: readonly string[]) {
  const server = await startFakeAws(healthyScenario(), {
    serve: (received) => (received.operation === operation && received.body.includes('"echo"') ? failure : false),
  });
  servers.push(server);
  return runCli(['invoke', 'echo', '--stage', 'prod', '--run-id', 'quoted-1', ...flags, '--', '--count', '1', '--label', `x ${SECRET}`], {
    cwd: FIXTURE_ROOT,
    env: fakeAwsEnvironment(server.url, { CNF_DEBUG: '1' }),
  });
}

describe('an invoke refused with a message that quotes the payload', () => {
  it('a refusal of the attached invoke (400): 64, the arg read as [redacted] in the error, --json and the stack', async () => {
    const result = await refusedInvoke(
      'InvokeWithResponseStream',
      {
        status: 400,
        name: 'InvalidRequestContentException',
        message: `Could not parse request body into json: Unrecognized token 'x ${SECRET}'`,
      },
      ['--json'],
    );
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(
      "AWS refused lambda:InvokeFunction on function fixture-prod-admin:5: InvalidRequestContentException: Could not parse request body into json: Unrecognized token '[redacted]'",
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { message: expect.stringContaining("token '[redacted]'") }, exitCode: 64 });
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('a refusal of the detached invoke (413): 64, not quoted', async () => {
    const result = await refusedInvoke(
      'Invoke',
      { status: 413, name: 'RequestTooLargeException', message: `Request must be smaller than 1048576 bytes: {"label":"x ${SECRET}"}` },
      ['--detach'],
    );
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('RequestTooLargeException: Request must be smaller than 1048576 bytes: {"label":"[redacted]"}');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('a 5xx of the attached invoke that quotes it: 69, the run may or may not have happened, not quoted', async () => {
    const result = await refusedInvoke(
      'InvokeWithResponseStream',
      { status: 500, name: 'ServiceException', message: `failed on x ${SECRET}` },
      [],
    );
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('Lambda failed the invoke of fixture-prod-admin:5 (ServiceException, HTTP 500: failed on [redacted]).');
    expect(result.stderr).toContain('Run quoted-1 may or may not have happened');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });
});
