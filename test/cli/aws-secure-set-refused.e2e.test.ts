/**
 * `config set --secure` on an AWS stage that refuses the write: AWS may
 * quote the value it was sent (a constraint it fails, a KMS refusal), and the
 * CLI's error, its `--json` document and its stack (`CNF_DEBUG=1`) do not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { fakeAwsEnvironment } from '../support/aws-cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { healthyScenario } from '../support/aws-scenario.js';
import { startFakeAws, type FakeAws, type WireFailure } from '../support/fake-aws-server.js';

const SECRET = 'Quoted-By-Aws-9f3e';
const servers: FakeAws[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function refusedSet(failure: WireFailure, args: readonly string[]) {
  const server = await startFakeAws(healthyScenario(), { failures: { PutParameter: [failure] } });
  servers.push(server);
  const result = await runCli(['config', 'set', 'API_TOKEN', ...args, '--secure', '--stage', 'prod'], {
    cwd: FIXTURE_ROOT,
    env: fakeAwsEnvironment(server.url, { CNF_DEBUG: '1' }),
    input: `${SECRET}\n`,
  });
  return { ...result, stored: server.ssm.versions('/fixture/prod/API_TOKEN') };
}

describe('config set --secure refused by AWS', () => {
  it('does not quote a ValidationException that names the value, in the error or --json', async () => {
    const result = await refusedSet(
      {
        status: 400,
        name: 'ValidationException',
        message: `Parameter value, ${SECRET}, failed to satisfy constraint specified in AllowedPattern`,
      },
      ['-', '--json'],
    );
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(
      'AWS refused ssm:PutParameter on parameter /fixture/prod/API_TOKEN: ValidationException: Parameter value, [redacted], failed',
    );
    expect(result.stdout).toContain('"name": "UsageError"');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(result.stored).toEqual([]);
  });

  it('does not quote a KMS refusal that names the value, given on the command line', async () => {
    const result = await refusedSet({ status: 400, name: 'AccessDeniedException', message: `not authorized to encrypt ${SECRET}` }, [
      SECRET,
    ]);
    expect(result.code).toBe(77);
    expect(result.stderr).toContain(
      'Permission denied: ssm:PutParameter on parameter /fixture/prod/API_TOKEN (not authorized to encrypt [redacted])',
    );
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });
});
