/**
 * Damaged AWS state through the real binary, with AWS mocked at the SDK
 * clients: a stage record and run records (ledger items) that were edited by
 * hand or written by something else. Each is a clear 69 naming the field,
 * never a TypeError and never "a bug in cnf-admin", and nothing runs.
 */
import { describe, expect, it } from 'vitest';
import { spawnAwsCli } from '../support/aws-cli.js';
import { LEDGER_RECORD, RUN_ID } from '../support/aws-command-runs.js';
import { healthyScenario } from '../support/aws-scenario.js';

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;
/** A finished run, as the admin function records its end. */
const finishedRun = { ...LEDGER_RECORD, endedAt: '2026-11-24T14:39:28.000Z', exitCode: 0, durationMs: 1000 };

function expectClearRefusal(result: { code: number | null; stderr: string }, named: RegExp): void {
  expect(result.stderr).toMatch(named);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stderr).not.toMatch(/TypeError|a bug in cnf-admin|failed unexpectedly/);
  expect(result.code).toBe(69);
}

describe('a damaged stage record', () => {
  it.each([
    ['a console that is "yes"', { console: 'yes' }, /"console": expected boolean.*got "yes"/],
    ['an unknown format version', { version: 2 }, /format version is 2/],
    [
      'an admin function without its timeout',
      { admin: { functionName: 'fixture-prod-admin', logGroup: '/aws/lambda/fixture-prod-admin' } },
      /"admin.timeoutSeconds"/,
    ],
    ['a container without its network', { container: { cluster: 'c' } }, /"container.taskFamily"/],
    ['a parameter path that is no path', { parameterPath: 'fixture/prod' }, /"parameterPath"/],
  ])('%s: invoke, status and runs exit 69 naming the field, and invoke nothing', async (_what, damage, named) => {
    const scenario = healthyScenario({ record: damage as never });
    for (const args of [['invoke', 'echo'], ['status'], ['runs']]) {
      const result = await spawnAwsCli([...args, '--stage', 'prod'], scenario).done;
      expectClearRefusal(result, named);
      expect(result.stderr).toContain('The stage record at /fixture/prod/_cnf/stage cannot be read');
      expect(result.sent.filter((call) => call.command.startsWith('Invoke'))).toEqual([]);
    }
  });
});

describe('a damaged run record in the ledger table', () => {
  it.each([
    ['an interruptedAt that is no time', { interruptedAt: 42 }, /interruptedAt: /],
    ['an exit code that is text', { exitCode: 'zero' }, /exitCode: /],
    ['args that are text', { args: 'x' }, /args: /],
    ['a source no one starts runs from', { source: 'cron' }, /source: /],
  ])('%s: runs and runs show exit 69 naming the item and the field', async (_what, damage, named) => {
    const scenario = healthyScenario({ ledger: [{ ...finishedRun, ...damage }] });
    for (const args of [['runs'], ['runs', 'show', RUN_ID], ['runs', '--json']]) {
      const result = await spawnAwsCli([...args, '--stage', 'prod'], scenario).done;
      expectClearRefusal(result, named);
      expect(result.stderr).toContain(`The run ledger's record run#${RUN_ID} in table fixture-prod-runs is corrupted`);
      expect(result.stdout).not.toContain('in progress');
    }
  });
});
