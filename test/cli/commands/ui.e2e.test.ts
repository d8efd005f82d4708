/**
 * `cnf-admin ui` on an AWS stage it cannot reach, through the real binary:
 * it says so as every command does, with its exit code, before it serves.
 */
import { describe, expect, it } from 'vitest';
import { withoutAwsSettings } from '../../support/aws-cli.js';
import { FIXTURE_ROOT } from '../../support/aws-platform.js';
import { finished, spawnCli, type CliResult } from '../../support/cli.js';

/** No credentials anywhere: no variables, no files, no instance metadata. */
const NO_ACCESS: NodeJS.ProcessEnv = {
  ...withoutAwsSettings(),
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** Runs `ui` on stage prod; should it print an address (it serves), Ctrl-C ends it, so that the test sees how it ended. */
async function ui(env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawnCli(['ui', '--no-open', '--stage', 'prod'], { cwd: FIXTURE_ROOT, env: { ...NO_ACCESS, ...env } });
  child.stdout?.on('data', (chunk: Buffer) => {
    if (chunk.toString('utf8').includes('http://')) child.kill('SIGINT');
  });
  return finished(child);
}

describe('cnf-admin ui on an AWS stage it cannot reach', () => {
  it('exits 77 without credentials, saying how to sign in, and serves nothing', async () => {
    // when
    const { code, stdout, stderr } = await ui({ AWS_REGION: 'eu-west-1' });

    // then
    expect(code).toBe(77);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^cnf-admin: No AWS credentials for stage prod \(.+\)\.\nSign in \(e\.g\. aws sso login\)/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 64 without a region, saying where to set one, and serves nothing', async () => {
    // when
    const { code, stdout, stderr } = await ui({});

    // then
    expect(code).toBe(64);
    expect(stdout).toBe('');
    expect(stderr).toContain('cnf-admin: No AWS region for stage prod (Region is missing).');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
