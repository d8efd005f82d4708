/**
 * Every command on an AWS stage, run in-process through cli() with AWS
 * mocked at the SDK clients: what a user sees and the exit code.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../../lib/cli/main.js';
import { encodeFrame } from '../../lib/core/run-frames.js';
import { OLD_RELEASE, RELEASE, runLine } from '../support/aws-scenario.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { LEDGER_RECORD } from '../support/aws-command-runs.js';
import { memoryIo, type MemoryIo } from '../support/memory-io.js';
import { useAwsScenario } from '../support/aws-test-scenario.js';

const REQUEST_ID = '11111111-2222-3333-4444-555555555555';

/** A record Lambda writes itself in the JSON log format. */
function platformRecord(type: string, record: Record<string, unknown>): string {
  return JSON.stringify({ time: '2026-11-24T14:39:30.000Z', type, record });
}
const given = useAwsScenario();

async function run(args: string[], input = ''): Promise<{ code: number; io: MemoryIo }> {
  const io = memoryIo(FIXTURE_ROOT, { CNF_LOG_WAIT_SECONDS: '0.2' }, input);
  const code = await cli(args, io);
  return { code, io };
}

const CATALOG = {
  tasks: [
    {
      name: 'echo',
      description: 'Returns its args',
      args: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] },
      lock: false,
    },
  ],
};

describe('cnf-admin on an AWS stage (in-process)', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('invoke --dry-run prints the plan and invokes nothing', async () => {
    // given
    const installed = given({});

    // when
    const { code, io } = await run(['invoke', 'echo', '--stage', 'prod', '--dry-run']);

    // then
    expect(code).toBe(0);
    expect(io.stdoutText()).toBe(
      [
        'Would run echo on stage prod:',
        '  args     {}',
        `  release  ${RELEASE} (behind web:live)`,
        '  web      version 7',
        '  admin    version 5',
        'Nothing ran (--dry-run).',
        '',
      ].join('\n'),
    );
    // It reads the release's catalog to check the task and args (cnf:describe), and runs nothing.
    const invoked = installed.sent().filter((call) => call.command.startsWith('Invoke'));
    expect(invoked.map((call) => JSON.parse(Buffer.from(call.input.Payload as Uint8Array).toString('utf8')).task)).toEqual([
      'cnf:describe',
    ]);
  });

  it('invoke streams the output, shows the rest of the log, and exits with the task exit code', async () => {
    // given
    given({
      stream: {
        frames: [
          { type: 'log', line: runLine('Run started') },
          { type: 'log', line: runLine('Run ended', { exitCode: 3, durationMs: 42 }) },
          { type: 'result', result: { runId: '$RUN_ID', task: 'echo', release: RELEASE, exitCode: 3, durationMs: 42 } },
        ],
      },
      logEvents: [
        { message: runLine('Run started') },
        { message: runLine('Run ended', { exitCode: 3, durationMs: 42 }) },
        // Lambda's own records, in the JSON log format
        { message: platformRecord('platform.start', { requestId: REQUEST_ID, version: '5' }) },
        { message: platformRecord('platform.runtimeDone', { requestId: REQUEST_ID, status: 'success' }) },
        {
          message: platformRecord('platform.report', {
            requestId: REQUEST_ID,
            status: 'success',
            metrics: { durationMs: 2510.4, billedDurationMs: 2511, memorySizeMB: 512, maxMemoryUsedMB: 87, initDurationMs: 312.2 },
          }),
        },
      ],
    });

    // when
    const { code, io } = await run(['invoke', 'echo', '--stage', 'prod', '--', '--count', '2']);

    // then
    expect(code).toBe(3);
    expect(io.stdoutText()).toMatch(/INFO  Run started/);
    // and: Lambda's report in one short line, its other records left out
    expect(io.stdoutText()).toContain('\nLambda: 2.5 s, billed 2.5 s · 87 of 512 MB memory · cold start 312 ms\n');
    expect(io.stdoutText()).not.toContain('platform.');
    expect(io.stderrText()).toMatch(new RegExp(`▶ echo · stage prod · release ${RELEASE} · run \\d{8}-\\d{6}-\\w{6}`));
    expect(io.stderrText()).toMatch(/✖ exit 3 · 42 ms/);
  });

  it('invoke --json prints the run result as the one document on stdout', async () => {
    // given
    given({
      stream: {
        frames: [
          {
            type: 'result',
            result: { runId: '$RUN_ID', task: 'echo', release: RELEASE, exitCode: 0, durationMs: 1, output: { count: 2 } },
          },
        ],
      },
      logEvents: [{ message: `REPORT RequestId: ${REQUEST_ID}` }],
    });

    // when
    const { code, io } = await run(['invoke', 'echo', '--stage', 'prod', '--json', '--args', '{"count":2}']);

    // then
    expect(code).toBe(0);
    expect(JSON.parse(io.stdoutText())).toMatchObject({ task: 'echo', exitCode: 0, output: { count: 2 } });
  });

  it('invoke --detach starts the run asynchronously, prints its id and how to follow it', async () => {
    // given
    const installed = given({});

    // when
    const { code, io } = await run(['invoke', 'echo', '--stage', 'prod', '--detach', '--run-id', 'nightly-1']);

    // then
    expect(code).toBe(0);
    expect(io.stdoutText()).toBe('nightly-1\n');
    expect(io.stderrText()).toContain('cnf-admin logs nightly-1 --stage prod --follow');
    expect(installed.sent().find((call) => call.command === 'InvokeCommand' && call.input.InvocationType === 'Event')?.input).toMatchObject(
      {
        InvocationType: 'Event',
        Qualifier: '5',
      },
    );
  });

  it('invoke exits 78 on a release mismatch, showing both releases, and --release picks one', async () => {
    // given
    given({ aliases: { web: { live: { version: '7', release: RELEASE } }, admin: { live: { version: '4', release: OLD_RELEASE } } } });

    // when
    const mismatch = await run(['invoke', 'echo', '--stage', 'prod', '--dry-run']);
    const picked = await run(['invoke', 'echo', '--stage', 'prod', '--dry-run', '--release', OLD_RELEASE]);

    // then
    expect(mismatch.code).toBe(78);
    expect(mismatch.io.stderrText()).toContain(
      `web:live serves ${RELEASE} (version 7) but admin:live points at ${OLD_RELEASE} (version 4)`,
    );
    expect(mismatch.io.stderrText()).not.toMatch(/\n\s+at /);
    expect(picked.code).toBe(0);
    expect(picked.io.stdoutText()).toContain('admin    version 4\n');
  });

  it('tasks asks the live admin version for its catalog (cnf:describe)', async () => {
    // given
    const installed = given({
      invoke: {
        payload: JSON.stringify({ runId: 'x', task: 'cnf:describe', release: RELEASE, exitCode: 0, durationMs: 1, output: CATALOG }),
      },
    });

    // when
    const { code, io } = await run(['tasks', '--stage', 'prod']);

    // then
    expect(code).toBe(0);
    expect(io.stdoutText()).toMatch(/echo\s+Returns its args\s+--count <integer>/);
    const invoke = installed.sent().find((call) => call.command === 'InvokeCommand');
    expect(invoke?.input).toMatchObject({ Qualifier: '5', InvocationType: 'RequestResponse' });
    expect(JSON.parse(Buffer.from(invoke?.input.Payload as Uint8Array).toString())).toMatchObject({
      task: 'cnf:describe',
      release: RELEASE,
    });
  });

  it('status shows the alias pair, its versions and the retained releases', async () => {
    // given
    given({});

    // when
    const { code, io } = await run(['status', '--stage', 'prod']);

    // then
    expect(code).toBe(0);
    expect(io.stdoutText()).toContain(`Stage prod, on AWS\n  web:live    ${RELEASE} (version 7)\n  admin:live  ${RELEASE} (version 5)\n`);
    // A stage without container tasks shows no such section.
    expect(io.stdoutText()).not.toContain('Container tasks');
    expect(io.stdoutText()).toMatch(
      new RegExp(
        `RELEASE +WEB +ADMIN +CREATED +ALIASES\n${RELEASE} +7 +5 +\\S+ \\S+ +live\n${OLD_RELEASE} +6 +4 +2026-11-0[12] \\d\\d:\\d\\d:\\d\\d +-\n`,
      ),
    );
  });

  it('releases --json lists the retained releases newest first, each with the alias pairs that serve it', async () => {
    // given
    given({});

    // when
    const { code, io } = await run(['releases', '--stage', 'prod', '--json']);

    // then
    expect(code).toBe(0);
    expect(
      (JSON.parse(io.stdoutText()) as { release: string; aliases: string[] }[]).map(({ release, aliases }) => [release, aliases]),
    ).toEqual([
      [RELEASE, ['live']],
      [OLD_RELEASE, []],
    ]);
  });

  it('config list, get, set --secure and unset work over SSM, never printing a secret', async () => {
    // given
    const installed = given({
      parameters: [{ Name: '/fixture/prod/DATABASE_URL', Value: 'postgres://u:hunter22@db/app', Type: 'SecureString' }],
      // A stage without a run ledger keeps no config versions (those: test/cli/aws-config-versions.e2e.test.ts).
      record: { ledgerTable: undefined } as never,
    });

    // when
    const set = await run(['config', 'set', 'API_TOKEN', '-', '--secure', '--stage', 'prod'], 'tok-123456\n');
    const list = await run(['config', 'list', '--stage', 'prod']);
    const get = await run(['config', 'get', 'DATABASE_URL', '--stage', 'prod']);
    const unset = await run(['config', 'unset', 'API_TOKEN', '--stage', 'prod']);

    // then
    expect([set.code, list.code, get.code, unset.code]).toEqual([0, 0, 0, 0]);
    expect(list.io.stdoutText()).toMatch(/API_TOKEN\s+\*{8}\s+secure/);
    expect(get.io.stdoutText()).toBe('********\n');
    expect(`${list.io.stdoutText()}${get.io.stdoutText()}${set.io.stderrText()}`).not.toMatch(/hunter22|tok-123456/);
    expect(installed.sent().find((call) => call.command === 'PutParameterCommand')?.input).toMatchObject({
      Type: 'SecureString',
      Value: 'tok-123456',
    });
    expect(unset.io.stderrText()).toContain('Removed API_TOKEN from stage prod.');
  });

  it('config set --secure refuses a value too short to redact (64) and writes nothing to SSM', async () => {
    // given
    const installed = given({});

    // when
    const set = await run(['config', 'set', 'PIN', 'abc', '--secure', '--stage', 'prod']);

    // then
    expect(set.code).toBe(64);
    expect(set.io.stderrText()).toContain('at least 4 characters');
    expect(installed.sent().some((call) => call.command === 'PutParameterCommand')).toBe(false);
  });

  it('runs and runs show read the ledger table, and the run log from CloudWatch', async () => {
    // given
    given({
      ledger: [
        {
          runId: '20261124-143927-k3f9qz',
          task: 'echo',
          args: {},
          release: RELEASE,
          source: 'cli',
          caller: 'alice',
          startedAt: '2026-11-24T14:39:27.000Z',
          endedAt: '2026-11-24T14:39:28.000Z',
          exitCode: 0,
          durationMs: 1000,
          log: 'group:stream',
        },
      ],
      logEvents: [
        { message: runLine('Run started').replace('$RUN_ID', '20261124-143927-k3f9qz'), timestamp: Date.UTC(2026, 10, 24, 14, 39, 27) },
        {
          message: runLine('Run ended', { exitCode: 0, durationMs: 1000 }).replace('$RUN_ID', '20261124-143927-k3f9qz'),
          timestamp: Date.UTC(2026, 10, 24, 14, 39, 28),
        },
      ],
    });

    // when
    const runs = await run(['runs', '--stage', 'prod']);
    const show = await run(['runs', 'show', '20261124-143927-k3f9qz', '--stage', 'prod']);

    // then
    expect(runs.code).toBe(0);
    expect(runs.io.stdoutText()).toMatch(
      /20261124-143927-k3f9qz {2}echo {2}- {5}0 {5}1\.0 s {2}(?:2026-)?11-2[45] \d\d:\d\d:\d\d {2}alice\n/,
    );
    expect(show.code).toBe(0);
    expect(show.io.stdoutText()).toMatch(/caller\s+alice/);
    expect(show.io.stdoutText()).toMatch(/INFO  Run ended/);
  });

  it('runs show says when the container task ECS started took a run over, and that it goes on', async () => {
    given({
      ledger: [{ ...LEDGER_RECORD, runId: '20261124-143927-ctnr01', containerStartedAt: '2026-11-24T14:40:02.000Z' }],
      logEvents: [],
    });
    const show = await run(['runs', 'show', '20261124-143927-ctnr01', '--stage', 'prod']);
    expect(show.code).toBe(0);
    expect(show.io.stdoutText()).toMatch(/^ended {4}\(in progress\)$/m);
    expect(show.io.stdoutText()).toMatch(/^in task {2}since (?:2026-)?11-24 \d\d:\d\d:\d\d \(the task ECS started took it over\)$/m);
  });

  it("logs --follow exits with the run's exit code", async () => {
    // given
    const runId = '20261124-143927-k3f9qz';
    given({
      logEvents: [
        {
          message: runLine('Run ended', { exitCode: 9, durationMs: 5 }).replace('$RUN_ID', runId),
          timestamp: Date.UTC(2026, 10, 24, 14, 39, 28),
        },
      ],
    });

    // when
    const { code, io } = await run(['logs', runId, '--stage', 'prod', '--follow']);

    // then
    expect(code).toBe(9);
    expect(io.stderrText()).toMatch(/exit 9/);
  });

  it('policy prints the JSON policy of the stage, and refuses the local stage', async () => {
    // given
    given({});

    // when
    const aws = await run(['policy', '--stage', 'prod']);
    const local = await run(['policy', '--stage', 'local']);

    // then
    expect(aws.code).toBe(0);
    expect(JSON.parse(aws.io.stdoutText())).toMatchObject({ Version: '2012-10-17' });
    expect(local.code).toBe(64);
    expect(local.io.stderrText()).toContain('cnf-admin policy is for AWS stages');
  });

  it('a stage that is not deployed exits 69 with one line and how to deploy it', async () => {
    // given
    given({ record: null, aliases: {} });

    // when
    const { code, io } = await run(['invoke', 'echo', '--stage', 'prod']);

    // then
    expect(code).toBe(69);
    expect(io.stderrText()).toBe(
      'cnf-admin: Stage prod of app fixture is not deployed in eu-west-1: there is no stage record at /fixture/prod/_cnf/stage.\n' +
        'Deploy it with: npx cdk deploy -c stage=prod (or pass --region if it lives in another region).\n',
    );
  });

  it('no credentials and expired credentials exit 77 with what to do, no stack trace', async () => {
    // given
    given({ errors: { GetParameter: [{ name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' }] } });
    const missing = await run(['invoke', 'echo', '--stage', 'prod']);
    given({
      errors: {
        GetParameter: [
          { name: 'ExpiredTokenException', message: 'The security token included in the request is expired', fault: 'client', status: 400 },
        ],
      },
    });
    const expired = await run(['status', '--stage', 'prod']);

    // then
    expect(missing.code).toBe(77);
    expect(missing.io.stderrText()).toMatch(
      /^cnf-admin: No AWS credentials for stage prod \(Could not load credentials from any providers\)\.\nSign in/,
    );
    expect(expired.code).toBe(77);
    expect(expired.io.stderrText()).toMatch(
      /^cnf-admin: The AWS credentials are expired or invalid \(ExpiredTokenException: The security token included in the request is expired\)\.\nRefresh them/,
    );
    expect(`${missing.io.stderrText()}${expired.io.stderrText()}`).not.toMatch(/\n\s+at /);
  });

  it('exits 64 saying how to set a region when there is none', async () => {
    // given: no region anywhere
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.stubEnv('AWS_PROFILE', undefined);
    given({});

    // when
    const { code, io } = await run(['invoke', 'echo', '--stage', 'prod', '--dry-run']);

    // then
    expect(code).toBe(64);
    expect(io.stderrText()).toContain('No AWS region for stage prod (Region is missing).');
  });

  it("streams a run end to end: the admin handler's own frames, decoded by the platform", async () => {
    // given: NDJSON exactly as the runtime writes it, in uneven chunks
    const text =
      encodeFrame({ type: 'log', line: runLine('Run started') }) +
      encodeFrame({ type: 'result', result: { runId: '$RUN_ID', task: 'echo', release: RELEASE, exitCode: 0, durationMs: 3 } });
    given({
      stream: { chunks: [text.slice(0, 7), text.slice(7, 50), text.slice(50)] },
      logEvents: [{ message: runLine('Run started') }, { message: `REPORT RequestId: ${REQUEST_ID}` }],
    });

    // when
    const { code, io } = await run(['invoke', 'echo', '--stage', 'prod']);

    // then
    expect(code).toBe(0);
    expect(io.stdoutText().match(/Run started/g)).toHaveLength(1);
  });
});
