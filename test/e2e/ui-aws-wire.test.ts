/**
 * `cnf-admin ui --stage prod` in chromium, the real binary and the real AWS
 * SDK on the wire: `AWS_ENDPOINT_URL` points at the fake AWS on 127.0.0.1
 * (test/support/fake-aws-server.ts), which serves the stage record (SSM),
 * the caller (STS), the functions, their aliases and versions, the admin
 * function (cnf:describe, cnf:stop, a streamed re-run), the run ledger's
 * table (DynamoDB Query and GetItem on its sparse indexes) and the log
 * (CloudWatch Logs). Nothing is mocked inside the process.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAwsEnvironment } from '../support/aws-cli.js';
import { CONTAINER_RECORD, CONTAINER_TASK } from '../support/aws-container-scenario.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { healthyScenario, OLD_RELEASE, RELEASE, runLine } from '../support/aws-scenario.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws-server.js';
import { startUi, type UiProcess } from '../support/ui-process.js';
import { UI_CATALOG, uiRunRecord, uiStopAnswer } from '../support/ui-aws-stage.js';

const FAILED = '20261124-143927-failed';
const OLD_FAILED = '20261101-090000-oldfai';
const SUCCEEDED = '20261124-120000-okokok';
const RUNNING = '20261124-150000-runnin';
const BOB = '20261123-080000-bobrun';

const run = uiRunRecord;
const ended = (startedAt: string, exitCode: number) => ({
  startedAt,
  endedAt: startedAt.replace(/\.000Z$/, '.900Z'),
  exitCode,
  durationMs: 900,
});

const catalog = UI_CATALOG;

const scenario = healthyScenario({
  record: { container: CONTAINER_RECORD },
  catalog: catalog as never,
  stream: {
    frames: [
      { type: 'log', line: runLine('Run started') },
      { type: 'result', result: { runId: '$RUN_ID', task: 'echo', release: RELEASE, exitCode: 0, durationMs: 5 } },
    ],
  },
  logEvents: [
    { message: runLine('about to fail', { runId: FAILED }) },
    { message: runLine('Run ended', { runId: FAILED, exitCode: 1, durationMs: 900 }) },
  ],
  ledger: [
    run(SUCCEEDED, { ...ended('2026-11-24T12:00:00.000Z', 0), runStatus: 'succeeded' }),
    run(FAILED, {
      ...ended('2026-11-24T14:39:27.000Z', 1),
      runStatus: 'failed',
      error: { name: 'InventoryMismatchError', message: '3 rows disagree' },
    }),
    run(RUNNING, {
      task: CONTAINER_TASK,
      args: {},
      startedAt: '2026-11-24T15:00:00.000Z',
      deadline: '2099-01-01T00:00:00.000Z',
      runStatus: 'running',
    }),
    run(BOB, {
      ...ended('2026-11-23T08:00:00.000Z', 0),
      runStatus: 'succeeded',
      caller: 'arn:aws:sts::123456789012:assumed-role/Admin/bob',
      release: OLD_RELEASE,
      source: 'schedule',
    }),
    // Recorded by a cnf-admin from before runStatus: the byStatus index does not hold it.
    run(OLD_FAILED, { ...ended('2026-11-01T09:00:00.000Z', 2), release: OLD_RELEASE }),
  ],
  invokeByTask: { 'cnf:stop': uiStopAnswer(RUNNING) },
});

let aws: FakeAws;
let ui: UiProcess;
let browser: TestBrowser;
let page: Page;
const address = (path: string, params: Record<string, string> = {}) =>
  `${ui.origin}${path}?${new URLSearchParams({ token: ui.token, ...params }).toString()}`;
const ids = () => page.locator('table.runs tbody tr td:first-child').allTextContents();
const bodies = (operation: string) => aws.requests.filter((request) => request.operation === operation).map((request) => request.body);

beforeAll(async () => {
  aws = await startFakeAws(scenario);
  ui = await startUi(FIXTURE_ROOT, ['--stage', 'prod'], fakeAwsEnvironment(aws.url, { CNF_LOG_WAIT_SECONDS: '1' }));
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  await aws?.close();
});

describe('cnf-admin ui on an AWS stage, on the wire to a fake AWS', () => {
  it('lists the ledger newest first through DynamoDB Query', async () => {
    await page.goto(ui.url);
    await expect.poll(ids).toEqual([RUNNING, FAILED, SUCCEEDED, BOB, OLD_FAILED]);
    expect(await page.locator('#stage').textContent()).toBe(`stage prod (aws) · live ${RELEASE}`);
  });

  it('filters by status over the byStatus index, and finds the runs recorded before runStatus by their record', async () => {
    await page.goto(address('/runs', { status: 'failed' }));
    await expect.poll(ids).toEqual([FAILED, OLD_FAILED]);
    const queries = bodies('Query').map((body) => JSON.parse(body) as { IndexName: string; FilterExpression?: string });
    expect(queries.some((query) => query.IndexName === 'byStatus')).toBe(true);
    expect(queries.some((query) => query.FilterExpression?.includes('attribute_not_exists(#status)') === true)).toBe(true);
  });

  it('filters by caller, release and source over every run', async () => {
    await page.goto(address('/runs', { caller: 'BOB' }));
    await expect.poll(ids).toEqual([BOB]);
    await page.goto(address('/runs', { release: OLD_RELEASE }));
    await expect.poll(ids).toEqual([BOB, OLD_FAILED]);
    await page.goto(address('/runs', { source: 'schedule', status: 'succeeded' }));
    await expect.poll(ids).toEqual([BOB]);
  });

  it('shows a Lambda run with its CloudWatch log, and says plainly that it cannot be stopped', async () => {
    await page.goto(address(`/runs/${FAILED}`));
    await expect.poll(() => page.locator('#log').textContent()).toContain('about to fail');
    expect(await page.locator('dl.facts').textContent()).toContain('InventoryMismatchError: 3 rows disagree');
    expect(await page.getByRole('button', { name: 'Stop…' }).isDisabled()).toBe(true);
    expect(await page.locator('.actions').textContent()).toContain('A Lambda invocation cannot be stopped mid-run');
  });

  it("stops a container task's run through the admin function (cnf:stop), never calling ECS itself", async () => {
    await page.goto(address(`/runs/${RUNNING}`));
    await page.getByRole('button', { name: 'Stop…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.locator('.actions p.status').textContent()).toBe('Stopping: stopped ECS task 0123456789abcdef.');
    const stop = bodies('Invoke').find((body) => body.includes('cnf:stop'));
    expect(JSON.parse(stop ?? '{}')).toMatchObject({ task: 'cnf:stop', args: { runId: RUNNING } });
    expect(aws.requests.filter((request) => request.operation === 'StopTask')).toEqual([]);
  });

  it('re-runs a run on its own release through InvokeWithResponseStream, as source ui', async () => {
    await page.goto(address(`/runs/${FAILED}`));
    await page.getByRole('button', { name: `Re-run on ${RELEASE}…` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Re-run' }).click();
    // The page goes to the new run once it runs.
    await page.waitForURL((url) => url.pathname.startsWith('/runs/') && !url.pathname.endsWith(FAILED));
    expect(bodies('InvokeWithResponseStream')).toHaveLength(1);
    expect(JSON.parse(bodies('InvokeWithResponseStream')[0] ?? '{}')).toMatchObject({
      task: 'echo',
      args: { count: 2 },
      source: 'ui',
      release: RELEASE,
    });
  });

  it('shows the tasks and the releases', async () => {
    await page.goto(address('/tasks'));
    await expect.poll(() => page.locator('table.tasks tbody tr th').allTextContents()).toEqual(['echo', CONTAINER_TASK]);
    await page.goto(address('/releases'));
    await expect.poll(() => page.locator('ol.timeline li h2 code').allTextContents()).toEqual([RELEASE, OLD_RELEASE]);
  });

  it('read the ledger with Query and GetItem only, never Scan, and stops on Ctrl-C', async () => {
    const dynamodb = new Set(aws.requests.filter((request) => request.service === 'dynamodb').map((request) => request.operation));
    expect([...dynamodb].sort()).toEqual(['GetItem', 'Query']);
    const result = await ui.stop();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Stopped cnf-admin ui');
  });
});
