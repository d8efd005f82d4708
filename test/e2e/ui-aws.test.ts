/**
 * `cnf-admin ui --stage prod` in chromium, with the real binary on an AWS
 * stage whose clients a preloaded module mocks (aws-sdk-client-mock, as the
 * other AWS end-to-end tests): the runs come from the ledger's Query, a run's
 * log from CloudWatch, a re-run goes through InvokeWithResponseStream, and a
 * container task's run is stopped through the admin function (cnf:stop), which calls ECS StopTask.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutAwsSettings } from '../support/aws-cli.js';
import { awsMockPreloadOption } from '../support/aws-mock-preload-build.js';
import { CONTAINER_RECORD, CONTAINER_TASK } from '../support/aws-container-scenario.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { healthyScenario, RELEASE, runLine, type SentCommand } from '../support/aws-scenario.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { startUi, type UiProcess } from '../support/ui-process.js';
import { UI_CATALOG, uiRunRecord, uiStopAnswer } from '../support/ui-aws-stage.js';

const FAILED = '20261124-143927-failed';
const SUCCEEDED = '20261124-120000-okokok';
const RUNNING = '20261124-150000-runnin';
const CONSOLE = '20261124-130000-consol';

const record = uiRunRecord;

const catalog = UI_CATALOG;

const scenario = healthyScenario({
  record: { container: CONTAINER_RECORD },
  invoke: {
    payload: JSON.stringify({ runId: 'describe', task: 'cnf:describe', release: RELEASE, exitCode: 0, durationMs: 1, output: catalog }),
  },
  stream: {
    frames: [
      { type: 'log', line: runLine('Run started') },
      { type: 'result', result: { runId: '$RUN_ID', task: 'echo', release: RELEASE, exitCode: 0, durationMs: 5 } },
    ],
  },
  logEvents: [
    { message: runLine('about to fail', { runId: FAILED }) },
    { message: runLine('Run ended', { runId: FAILED, exitCode: 1, durationMs: 1000 }) },
  ],
  ledger: [
    record(SUCCEEDED, { startedAt: '2026-11-24T12:00:00.000Z', endedAt: '2026-11-24T12:00:01.000Z', exitCode: 0, durationMs: 1000 }),
    record(CONSOLE, {
      task: 'cnf:console',
      args: { code: '1 + 1' },
      startedAt: '2026-11-24T13:00:00.000Z',
      endedAt: '2026-11-24T13:00:01.000Z',
      exitCode: 0,
      durationMs: 10,
    }),
    record(FAILED, {
      startedAt: '2026-11-24T14:39:27.000Z',
      endedAt: '2026-11-24T14:39:28.000Z',
      exitCode: 1,
      durationMs: 1000,
      error: { name: 'InventoryMismatchError', message: '3 rows disagree' },
    }),
    record(RUNNING, {
      task: CONTAINER_TASK,
      args: {},
      startedAt: '2026-11-24T15:00:00.000Z',
      containerStartedAt: '2026-11-24T15:00:04.000Z',
      deadline: '2099-01-01T00:00:00.000Z',
    }),
  ],
  // cnf-admin stop goes through the admin function (cnf:stop), which stops the run's ECS task and names it.
  invokeByTask: { 'cnf:stop': uiStopAnswer(RUNNING) },
});

let dir: string;
let ui: UiProcess;
let browser: TestBrowser;
let page: Page;
const address = (path: string, params: Record<string, string> = {}) =>
  `${ui.origin}${path}?${new URLSearchParams({ token: ui.token, ...params }).toString()}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnf-ui-aws-'));
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify(scenario));
  ui = await startUi(FIXTURE_ROOT, ['--stage', 'prod'], {
    ...withoutAwsSettings(),
    NODE_OPTIONS: awsMockPreloadOption(),
    CNF_TEST_AWS_SCENARIO: join(dir, 'scenario.json'),
    CNF_TEST_AWS_SENT: join(dir, 'sent.json'),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
  });
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('cnf-admin ui on an AWS stage, in chromium', () => {
  it('lists the ledger newest first, console evaluations left out, and filters by status', async () => {
    await page.goto(ui.url);
    const ids = () => page.locator('table.runs tbody tr td:first-child').allTextContents();
    await expect.poll(ids).toEqual([RUNNING, FAILED, SUCCEEDED]);
    expect(await page.locator('#stage').textContent()).toBe(`stage prod (aws) · live ${RELEASE}`);
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=failed/);
    await expect.poll(ids).toEqual([FAILED]);
  });

  it('shows a Lambda run with its CloudWatch log, and says plainly that it cannot be stopped', async () => {
    await page.goto(address(`/runs/${FAILED}`));
    await expect.poll(() => page.locator('#log').textContent()).toContain('about to fail');
    expect(await page.locator('dl.facts').textContent()).toContain('InventoryMismatchError: 3 rows disagree');
    expect(await page.getByRole('button', { name: 'Stop…' }).isDisabled()).toBe(true);
    expect(await page.locator('.actions').textContent()).toContain('A Lambda invocation cannot be stopped mid-run');
  });

  it('never re-runs a console evaluation', async () => {
    await page.goto(address(`/runs/${CONSOLE}`));
    await expect.poll(() => page.locator('.actions').textContent()).toContain('Console evaluations are never re-run.');
    expect(await page.getByRole('button', { name: 'Re-run on the live release…' }).isDisabled()).toBe(true);
  });

  it('says since when the container task ECS started has a run', async () => {
    await page.goto(address(`/runs/${RUNNING}`));
    await expect.poll(() => page.locator('dl.facts').textContent()).toMatch(/In its container task since.*:00:04/);
  });

  it("stops a container task's run through the admin function", async () => {
    await page.goto(address(`/runs/${RUNNING}`));
    await page.getByRole('button', { name: 'Stop…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.locator('.actions p.status').textContent()).toBe('Stopping: stopped ECS task 0123456789abcdef.');
  });

  it('re-runs a run on its own release through the admin function, as source ui', async () => {
    await page.goto(address(`/runs/${FAILED}`));
    await page.getByRole('button', { name: `Re-run on ${RELEASE}…` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Re-run' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/runs/') && !url.pathname.endsWith(FAILED));
  });

  it('shows the tasks and the releases', async () => {
    await page.goto(address('/tasks'));
    await expect.poll(() => page.locator('table.tasks tbody tr th').allTextContents()).toEqual(['echo', CONTAINER_TASK]);
    await page.goto(address('/releases'));
    await expect.poll(() => page.locator('ol.timeline li h2 code').allTextContents()).toEqual([RELEASE, 'r-00000000aaaa']);
  });

  it('read the ledger with Query and GetItem, never Scan, and sent the re-run and the stop', async () => {
    const result = await ui.stop();
    expect(result.code).toBe(0);
    const sent = JSON.parse(readFileSync(join(dir, 'sent.json'), 'utf8')) as SentCommand[];
    const commands = new Set(sent.map((call) => call.command));
    expect(commands.has('QueryCommand')).toBe(true);
    expect(commands.has('ScanCommand')).toBe(false);
    expect(sent.find((call) => call.command === 'StopTaskCommand')).toBeUndefined();
    const stop = sent.find((call) => call.command === 'InvokeCommand' && String(call.input.Payload).includes('cnf:stop'));
    expect(JSON.parse(String(stop?.input.Payload))).toMatchObject({ task: 'cnf:stop', args: { runId: RUNNING } });
    const invoke = sent.find((call) => call.command === 'InvokeWithResponseStreamCommand');
    expect(JSON.parse(String(invoke?.input.Payload))).toMatchObject({ task: 'echo', args: { count: 2 }, source: 'ui', release: RELEASE });
  });
});
