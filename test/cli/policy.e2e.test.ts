/**
 * `cnf-admin policy` through the real binary, on a machine with no AWS
 * access at all: an administrator prints the policy before the operator has
 * any access.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../lib/platform/aws/operator-policy.js';
import { withoutAwsSettings } from '../support/aws-cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { runCli } from '../support/cli.js';

/** No credentials anywhere: no variables, no files, no instance metadata. */
const NO_ACCESS: NodeJS.ProcessEnv = {
  ...withoutAwsSettings(),
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

const policy = (args: readonly string[]) => runCli(['policy', ...args], { cwd: FIXTURE_ROOT, env: NO_ACCESS });

describe('cnf-admin policy without access to AWS', () => {
  it('prints the policy of a stage from --account, --region and the names in cdk.json', async () => {
    // when
    const { code, stdout, stderr } = await policy(['--stage', 'prod', '--account', '123456789012', '--region', 'eu-central-1']);

    // then
    expect(code).toBe(0);
    const document = JSON.parse(stdout) as PolicyDocument;
    expect(document.Statement.find((statement) => statement.Sid === 'InvokeAdminVersions')?.Resource).toEqual([
      'arn:aws:lambda:eu-central-1:123456789012:function:fixture-prod-admin:*',
    ]);
    expect(stderr).toContain('for cnf-admin on stage prod (account 123456789012, eu-central-1)');
  });

  it('says what it needs: an AWS stage, a 12-digit account, a region', async () => {
    // when
    const noStage = await policy([]);
    const local = await policy(['--stage', 'local', '--account', '123456789012', '--region', 'eu-west-1']);
    const badAccount = await policy(['--stage', 'prod', '--account', '1234', '--region', 'eu-west-1']);
    const noRegion = await policy(['--stage', 'prod', '--account', '123456789012']);

    // then
    expect([noStage.code, local.code, badAccount.code, noRegion.code]).toEqual([64, 64, 64, 64]);
    expect(noStage.stderr).toBe(
      'cnf-admin: policy needs --stage: the AWS stage the policy is for (prod).\nFor example: cnf-admin policy --stage prod\n',
    );
    expect(local.stderr).toContain('cnf-admin policy is for AWS stages; stage local is local.');
    expect(badAccount.stderr).toContain('--account takes a 12-digit AWS account id, got: "1234"');
    expect(noRegion.stderr).toContain('Pass it: cnf-admin policy --stage prod --account 123456789012 --region');
  });

  it('without --account, needs credentials, and then says how to print it without', async () => {
    // when
    const { code, stdout, stderr } = await policy(['--stage', 'prod', '--region', 'eu-west-1']);

    // then
    expect(code).toBe(77);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^cnf-admin: No AWS credentials for stage prod/);
    expect(stderr).toContain(
      'Print the policy without access to AWS: cnf-admin policy --stage prod --account <12-digit id> --region <region>\n',
    );
  });

  it('has help that names no default stage', async () => {
    // when
    const { code, stdout } = await runCli(['policy', '--help'], { cwd: FIXTURE_ROOT });

    // then
    expect(code).toBe(0);
    expect(stdout).not.toContain('default: local');
    expect(stdout).toContain('--account <id>');
  });
});
