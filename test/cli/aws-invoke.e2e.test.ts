/**
 * The real `cnf-admin` binary on an AWS stage, with AWS mocked at the SDK
 * clients by a preloaded module: what a user sees, and the exit code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { spawnAwsCli, withoutAwsSettings } from '../support/aws-cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { healthyScenario, OLD_RELEASE, RELEASE, runLine } from '../support/aws-scenario.js';

const REQUEST_ID = '11111111-2222-3333-4444-555555555555';

/** A record Lambda writes itself in the JSON log format. */
function platformRecord(type: string, record: Record<string, unknown>): string {
  return JSON.stringify({ time: '2026-11-24T14:39:30.000Z', type, record });
}

describe('cnf-admin invoke --stage prod (the real binary, AWS mocked)', () => {
  it("streams the run's output and passes the task's exit code through, with no SDK noise", async () => {
    // given
    const scenario = healthyScenario({
      stream: {
        frames: [
          { type: 'log', line: runLine('Run started') },
          { type: 'log', line: runLine('half way', { rows: 500 }) },
          { type: 'log', line: runLine('Run ended', { exitCode: 3, durationMs: 42 }) },
          { type: 'result', result: { runId: '$RUN_ID', task: 'echo', release: RELEASE, exitCode: 3, durationMs: 42 } },
        ],
      },
      logEvents: [
        { message: runLine('Run started') },
        { message: runLine('half way', { rows: 500 }) },
        { message: runLine('Run ended', { exitCode: 3, durationMs: 42 }) },
        // Lambda's own records, in the JSON log format
        { message: platformRecord('platform.start', { requestId: REQUEST_ID, version: '5' }) },
        { message: platformRecord('platform.runtimeDone', { requestId: REQUEST_ID, status: 'success', metrics: { durationMs: 44.2 } }) },
        {
          message: platformRecord('platform.report', {
            requestId: REQUEST_ID,
            status: 'success',
            metrics: { durationMs: 45.01, billedDurationMs: 46, memorySizeMB: 128, maxMemoryUsedMB: 70 },
          }),
        },
      ],
    });

    // when
    const { code, stdout, stderr, sent } = await spawnAwsCli(['invoke', 'echo', '--stage', 'prod', '--', '--count', '2'], scenario).done;

    // then
    expect(code).toBe(3);
    expect(stdout).toMatch(
      /INFO  Run started\n.*INFO  half way rows=500\n.*INFO  Run ended exitCode=3 durationMs=42\nLambda: 45 ms, billed 46 ms · 70 of 128 MB memory\n$/,
    );
    expect(stdout).not.toContain('platform.');
    expect(stderr).toMatch(new RegExp(`▶ echo · stage prod · release ${RELEASE} · run `));
    expect(stderr).toContain('✖ exit 3 · 42 ms');
    expect(stderr).not.toContain('NodeVersionSupportWarning');
    expect(sent.filter((call) => call.command.startsWith('Invoke')).map((call) => call.command)).toEqual([
      'InvokeWithResponseStreamCommand',
    ]);
  });

  it('exits 78 on a release mismatch, showing both releases, and runs nothing', async () => {
    // given
    const scenario = healthyScenario({
      aliases: { web: { live: { version: '7', release: RELEASE } }, admin: { live: { version: '4', release: OLD_RELEASE } } },
    });

    // when
    const { code, stderr, sent } = await spawnAwsCli(['invoke', 'migrate', '--stage', 'prod'], scenario).done;

    // then
    expect(code).toBe(78);
    expect(stderr).toContain(
      `cnf-admin: Release mismatch on stage prod: web:live serves ${RELEASE} (version 7) but admin:live points at ${OLD_RELEASE} (version 4).`,
    );
    expect(sent.some((call) => call.command.startsWith('Invoke'))).toBe(false);
  });

  it('exits 77 naming the action it was denied, with no stack trace', async () => {
    // given
    const scenario = healthyScenario({
      errors: {
        GetAlias: [
          {
            name: 'AccessDeniedException',
            message: 'User: arn:aws:sts::123456789012:assumed-role/dev/bob is not authorized to perform: lambda:GetAlias',
            fault: 'client',
            status: 403,
          },
        ],
      },
    });

    // when
    const { code, stderr } = await spawnAwsCli(['invoke', 'migrate', '--stage', 'prod'], scenario).done;

    // then
    expect(code).toBe(77);
    expect(stderr).toMatch(
      /^cnf-admin: Permission denied: lambda:GetAlias on function fixture-prod-(web|admin) alias live \(.*\)\.\nSee the permissions the CLI needs with: cnf-admin policy --stage prod\n$/,
    );
  });

  it('refuses an AWS --region before -- when the task takes a --region of its own that is not given, and runs with both given', async () => {
    // given: a task with a region arg of its own
    const copy = {
      name: 'copy',
      description: 'Copy to a region',
      args: { type: 'object', properties: { region: { type: 'string', default: 'eu-west-1' } } },
      lock: false,
    };
    const frames = [
      { type: 'log', line: runLine('Run started') },
      { type: 'result', result: { runId: '$RUN_ID', task: 'copy', release: RELEASE, exitCode: 0, durationMs: 5 } },
    ] as const;
    const scenario = healthyScenario({ catalog: { tasks: [copy], scripts: [] }, stream: { frames: [...frames] } });

    // when: the task's --region written before --
    const ambiguous = await spawnAwsCli(['invoke', 'copy', '--stage', 'prod', '--region', 'us-east-1'], scenario).done;
    // and: the AWS region before --, the task's after it
    const both = await spawnAwsCli(['invoke', 'copy', '--stage', 'prod', '--region', 'eu-west-1', '--', '--region', 'us-east-1'], scenario)
      .done;
    // and: a task without a region arg
    const other = await spawnAwsCli(['invoke', 'echo', '--stage', 'prod', '--region', 'eu-west-1'], {
      ...healthyScenario(),
      stream: scenario.stream,
    }).done;

    // then: refused, one line and how to write it, and nothing ran
    expect(ambiguous.code).toBe(64);
    expect(ambiguous.stderr).toBe(
      'cnf-admin: --region before -- is the AWS region of stage prod, and copy takes a --region of its own, which is not given; nothing ran.\n' +
        "The task's goes after --: cnf-admin invoke copy --stage prod -- --region <value> (both: cnf-admin invoke copy --stage prod --region <aws> -- --region <value>)\n",
    );
    expect(ambiguous.sent.map((call) => call.command)).not.toContain('InvokeWithResponseStreamCommand');
    // and with both given, it runs, with the task's region in its args
    expect(both.code, both.stderr).toBe(0);
    const started = both.sent.find((call) => call.command === 'InvokeWithResponseStreamCommand');
    expect(JSON.parse(started?.input.Payload as string)).toMatchObject({
      task: 'copy',
      argv: ['--region', 'us-east-1'],
    });
    expect(other.code, other.stderr).toBe(0);
  });

  it('--dry-run prints the plan and invokes nothing', async () => {
    // given
    const scenario = healthyScenario();

    // when
    const { code, stdout, sent } = await spawnAwsCli(['invoke', 'migrate', '--stage', 'prod', '--dry-run'], scenario).done;

    // then
    expect(code).toBe(0);
    expect(stdout).toContain(
      `  args     {}\n  release  ${RELEASE} (behind web:live)\n  web      version 7\n  admin    version 5\nNothing ran`,
    );
    expect(sent.map((call) => call.command).sort()).toEqual([
      'GetAliasCommand',
      'GetAliasCommand',
      'GetCallerIdentityCommand',
      'GetFunctionConfigurationCommand',
      'GetFunctionConfigurationCommand',
      'GetParameterCommand',
      'GetParameterCommand', // the live-pair record (_cnf/live), in the same round: the stage has none yet
      // the release's catalog (cnf:describe), against which the task and args are checked
      'InvokeCommand',
    ]);
  });

  it('on Ctrl-C stops watching, says how to follow the run that goes on, and exits 130', async () => {
    // given: a run that shows a line and goes on
    const scenario = healthyScenario({ stream: { frames: [{ type: 'log', line: runLine('migrating') }], after: 'hang' } });
    const { child, done } = spawnAwsCli(['invoke', 'migrate', '--stage', 'prod'], scenario);

    // when: the user presses Ctrl-C once the output shows
    let shown = '';
    await new Promise<void>((resolve) =>
      child.stdout?.on('data', (chunk: Buffer) => {
        shown += chunk.toString();
        if (shown.includes('migrating')) resolve();
      }),
    );
    child.kill('SIGINT');
    const { code, stderr } = await done;

    // then
    expect(code).toBe(130);
    expect(stderr).toContain('Stopped watching: the run itself goes on in AWS.');
    expect(stderr).toMatch(/Run (\d{8}-\d{6}-\w{6}) goes on\. Follow it with: cnf-admin logs \1 --stage prod --follow/);
  });
});

describe('cnf-admin on an AWS stage with the real SDK and no credentials', () => {
  it('exits 77 saying how to sign in, without SDK noise', async () => {
    // given: no credentials anywhere, and no instance metadata to ask
    const env = {
      ...withoutAwsSettings(),
      AWS_REGION: 'eu-west-1',
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
    };

    // when
    const { code, stderr } = await runCli(['invoke', 'migrate', '--stage', 'prod'], { cwd: FIXTURE_ROOT, env });

    // then
    expect(code).toBe(77);
    expect(stderr).toMatch(/^cnf-admin: No AWS credentials for stage prod \(.+\)\.\nSign in \(e\.g\. aws sso login\)/);
    expect(stderr).not.toContain('NodeVersionSupportWarning');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 64 naming a profile that neither AWS file holds, from --profile or AWS_PROFILE, and lists the ones there are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnf-aws-files-'));
    writeFileSync(
      join(dir, 'config'),
      '[default]\nregion = eu-west-1\n[profile dev]\nregion = eu-west-1\n[sso-session corp]\nsso_region = eu-west-1\n',
    );
    writeFileSync(join(dir, 'credentials'), '[ci]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n');
    const env = { ...withoutAwsSettings(), AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
    try {
      const flag = await runCli(['status', '--stage', 'prod', '--profile', 'nosuch'], { cwd: FIXTURE_ROOT, env });
      expect(flag.code).toBe(64);
      expect(flag.stderr).toContain(`cnf-admin: There is no AWS profile "nosuch" (from --profile) in ${join(dir, 'config')}`);
      expect(flag.stderr).toContain('The profiles there: ci, default, dev.');
      const variable = await runCli(['invoke', 'migrate', '--stage', 'prod'], {
        cwd: FIXTURE_ROOT,
        env: { ...env, AWS_PROFILE: 'nosuch' },
      });
      expect(variable.code).toBe(64);
      expect(variable.stderr).toContain('There is no AWS profile "nosuch" (from AWS_PROFILE)');
      expect(variable.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
