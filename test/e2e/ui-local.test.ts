/**
 * `cnf-admin ui` on the local stage, driven in Debian's chromium: the real
 * binary serves the page, and the test clicks through it as a person would.
 * Each page's screenshot is taken on every run (so a page that cannot render fails here); it goes to
 * docs/images/ for docs/ui.md and the README only with CNF_UPDATE_SCREENSHOTS=1, so a test run leaves the checkout as it was.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { localLogShows, localRecordWritten } from '../support/local-run-files.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { startUi, type UiProcess } from '../support/ui-process.js';

let project: TestProject;
let ui: UiProcess;
let browser: TestBrowser;
let page: Page;
const runIds = { echo: '', fail: '', exit: '', waiting: '' };

const screenshot = (name: string) =>
  page.screenshot({
    fullPage: true,
    ...(process.env.CNF_UPDATE_SCREENSHOTS === '1' ? { path: join(REPO_ROOT, 'docs', 'images', `ui-${name}.png`) } : {}),
  });
const address = (path: string, params: Record<string, string> = {}) =>
  `${ui.origin}${path}?${new URLSearchParams({ token: ui.token, ...params }).toString()}`;

/** Starts the task form's run as a person does: the form's button, then the confirmation's Start. */
async function startFromForm(): Promise<void> {
  await page.getByRole('button', { name: 'Start run…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Start' }).click();
}

async function invoke(task: string, args: string): Promise<string> {
  const result = await project.cli(['invoke', task, '--args', args, '--json']);
  return (JSON.parse(result.stdout) as { runId: string }).runId;
}

beforeAll(async () => {
  project = createTestProject('tasks');
  runIds.echo = await invoke('echo', '{"count":2,"label":"first"}');
  runIds.fail = await invoke('fail', '{}');
  runIds.exit = await invoke('exit-code', '{"code":3}');
  ui = await startUi(project.dir);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  // Where the chart writes each release's label: its start, alignment and width, and the canvas's width.
  await page.addInitScript(`
    window.releaseLabels = [];
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, x, y) {
      if (/^r-[0-9a-f]{12}$/.test(text))
        window.releaseLabels.push({ x, align: this.textAlign, width: this.measureText(text).width, canvasWidth: this.canvas.width });
      fillText.call(this, text, x, y);
    };
  `);
});

afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  await project?.cleanup();
});

describe('cnf-admin ui on the local stage, in chromium', () => {
  it('lists the runs newest first, with status, exit code, caller, source and release', async () => {
    await page.goto(ui.url);
    const rows = page.locator('table.runs tbody tr');
    // The first page a fresh browser loads may take a while on a busy machine: wait for the table, then count.
    await rows.first().waitFor();
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(0).locator('td').nth(0).textContent()).toBe(runIds.exit);
    expect(await rows.nth(0).locator('td').nth(2).textContent()).toBe('failed');
    expect(await rows.nth(0).locator('td').nth(3).textContent()).toBe('3');
    expect(await rows.nth(2).locator('td').nth(2).textContent()).toBe('succeeded');
    expect(await rows.nth(2).locator('td').nth(7).textContent()).toBe('cli');
    // the config a run read, named as the CLI and the run's page name it
    expect(await rows.nth(2).locator('td').nth(8).textContent()).toMatch(/^r-[0-9a-f]{12} config v\d+$/);
    await screenshot('runs');
  });

  it('loads the page again asking only for its data: the script and styles come from the cache, and no icon is asked for', async () => {
    await page.goto(ui.url);
    await page.locator('table.runs tbody tr').first().waitFor();
    await page.goto(ui.url);
    await page.locator('table.runs tbody tr').first().waitFor();
    // What the second load fetched, and how many bytes came over the wire for each (0: from the cache).
    const fetched = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((entry) => `${new URL(entry.name).pathname} ${(entry as { transferSize?: number }).transferSize === 0 ? 'cached' : 'fetched'}`)
        .sort(),
    );
    expect(fetched).toEqual(['/api/runs fetched', '/api/session fetched', '/assets/app.css cached', '/assets/app.js cached']);
  });

  it('shows a time filter in the browser’s own time zone, to the second, and filtering again keeps it where it was', async () => {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'America/New_York' });
    try {
      await page.goto(address('/runs', { from: '2026-12-04T15:10:42.000Z' }));
      await expect.poll(() => page.getByLabel('From').inputValue()).toBe('2026-12-04T10:10:42');
      const navigated = page.waitForEvent('framenavigated');
      await page.getByRole('button', { name: 'Filter' }).click();
      expect(new URL((await navigated).url()).searchParams.get('from')).toBe('2026-12-04T15:10:42.000Z');
    } finally {
      await cdp.send('Emulation.setTimezoneOverride', { timezoneId: '' });
      await cdp.detach();
    }
  });

  it('follows the ledger on its first page: a run started and ended elsewhere shows without a reload, and a focused link keeps the focus', async () => {
    await page.goto(address('/runs'));
    await page.evaluate('window.sameDocument = true');
    const firstLink = page.locator('table.runs tbody tr a').first();
    const focusedHref = await firstLink.getAttribute('href');
    await firstLink.focus();
    const runId = await invoke('echo', '{"count":1,"label":"followed"}');
    await expect.poll(() => page.locator('table.runs tbody tr').first().textContent(), { timeout: 20_000 }).toContain(runId);
    // no reload: the document is the one the test marked, and the link that had the focus has it in the new rows
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    expect(await page.evaluate('document.activeElement?.getAttribute("href")')).toBe(focusedHref);
    expect(await page.locator('#follow-note').textContent()).toContain('follows the ledger');
  });

  it('holds a paged list where its first page was: a run started since moves no page, and a fresh list shows it first', async () => {
    const api = async (query: string): Promise<{ runs: { runId: string }[]; at?: string }> => {
      const answer = await fetch(new URL(`/api/runs?${query}`, ui.url), { headers: { 'x-cnf-token': ui.token } });
      expect(answer.status).toBe(200);
      return (await answer.json()) as { runs: { runId: string }[]; at?: string };
    };
    const first = await api('page=0');
    expect(first.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const started = await invoke('noop', '{}');
    const held = await api(`page=0&at=${encodeURIComponent(first.at ?? '')}`);
    expect(held.runs.map((run) => run.runId)).toEqual(first.runs.map((run) => run.runId));
    expect((await api('page=0')).runs[0]?.runId).toBe(started);
    const bad = await fetch(new URL('/api/runs?page=1&at=yesterday', ui.url), { headers: { 'x-cnf-token': ui.token } });
    expect(bad.status).toBe(400);
    // a list up to a time shows the stage's moves up to it, not those since
    const { moves } = (await api('page=0')) as unknown as { moves: { at: string }[] };
    const beforeAll = new Date(Date.parse(moves.at(-1)?.at ?? '') - 1).toISOString();
    expect(moves.length).toBeGreaterThan(0);
    expect(((await api(`page=0&to=${encodeURIComponent(beforeAll)}`)) as unknown as { moves: unknown[] }).moves).toEqual([]);
  });

  it('takes an address as far as it can: a page that is no number, From after To, a release by the start of its id in any case', async () => {
    await page.goto(address('/runs', { page: 'abc' }));
    await expect
      .poll(() => page.locator('p.status').textContent())
      .toBe('page takes a page number (1, 2, …), got "abc": this is the first page.');
    expect(await page.locator('table.runs tbody tr').count()).toBeGreaterThan(0);
    await page.goto(address('/runs', { from: '2026-12-06T00:00:00.000Z', to: '2026-12-05T00:00:00.000Z' }));
    await expect
      .poll(() => page.locator('form.filters .field-error').textContent())
      .toBe('From is after To: no run can match. Swap them, or clear one.');
    const headers = { 'x-cnf-token': ui.token };
    const { liveRelease } = (await (await fetch(new URL('/api/session', ui.url), { headers })).json()) as { liveRelease: string };
    const short = liveRelease.slice(2, 7).toUpperCase();
    const runs = (await (await fetch(new URL(`/api/runs?release=${short}`, ui.url), { headers })).json()) as { runs: unknown[] };
    expect(runs.runs.length).toBeGreaterThan(0);
    // an unknown task is not found, as an unknown run is
    await page.goto(address('/tasks/no-such-task'));
    await expect.poll(() => page.locator('h1').textContent()).toBe('Not found');
  });

  it('filters by status and task, keeping the filter in the address', async () => {
    await page.goto(ui.url);
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=failed/);
    await expect.poll(() => page.locator('table.runs tbody tr').count()).toBe(2);
    await page.getByLabel('Task').fill('fail');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/task=fail/);
    await expect.poll(() => page.locator('table.runs tbody tr').count()).toBe(1);
    // The address alone reproduces the view: a shared link shows the same runs.
    const shared = page.url();
    const other = await browser.context.newPage();
    await other.goto(shared);
    await expect.poll(() => other.locator('table.runs tbody tr td a').first().textContent()).toBe(runIds.fail);
    await other.close();
  });

  it('shows a run: args, release, exit code and its meaning, error, and the same log lines as cnf-admin logs', async () => {
    await page.goto(ui.url);
    await page.getByRole('link', { name: runIds.fail }).click();
    await page.waitForURL(new RegExp(`/runs/${runIds.fail}`));
    await expect.poll(() => page.locator('#log').textContent()).toContain('about to fail');
    const facts = await page.locator('dl.facts').textContent();
    expect(facts).toContain('1 (the task threw an error)');
    expect(facts).toContain('InventoryMismatchError: 3 rows disagree');
    // its config as runs show says it: the version and its fingerprint
    expect(facts).toMatch(/config v\d+ \(cfg-[0-9a-f]{12}\)/);
    const cli = await project.cli(['logs', runIds.fail]);
    expect((await page.locator('#log').textContent())?.trimEnd()).toBe(cli.stdout.trimEnd());
    expect(await page.locator('#cli-command').inputValue()).toMatch(/^cnf-admin invoke fail --stage local --release r-[0-9a-f]{12}$/);
    await screenshot('run');
  });

  it('refuses args that fail the schema with the words of the CLI, then starts a run from the task form', async () => {
    await page.goto(address('/tasks/echo'));
    // What the field can tell from the schema (a whole number, at least 1) it refuses in its own words, before it asks.
    const count = page.getByLabel('count (required)');
    for (const [typed, problem] of [
      ['1.5', 'a whole number'],
      ['-5', 'at least 1'],
    ] as const) {
      await count.fill(typed);
      await page.getByRole('button', { name: 'Start run…' }).click();
      await expect.poll(() => page.locator('#arg-count-error').textContent()).toBe(problem);
      expect(await page.getByRole('dialog').count()).toBe(0);
    }
    // JSON the field takes, that the task's schema does not (a list of text): only the admin function's check can tell.
    await count.fill('2');
    await page.locator('#arg-tags').fill('[1]');
    await startFromForm();
    await expect.poll(() => page.locator('#form-status').textContent()).toContain('Invalid args for echo: tags');
    // the field the refusal names is marked, says why, and has the focus
    expect(await page.locator('#arg-tags').getAttribute('aria-invalid')).toBe('true');
    // and where in the value: the list's first item
    expect(await page.locator('#arg-tags-error').textContent()).toBe('Invalid input: expected string, received number (at 0)');
    expect(await page.evaluate('document.activeElement?.id')).toBe('arg-tags');
    expect(await page.getByLabel('label').getAttribute('aria-invalid')).toBeNull();
    expect(await count.getAttribute('aria-invalid')).toBeNull();
    await page.locator('#arg-tags').fill('');
    // The CLI refuses the same args (in its own words for flags).
    const cli = await project.cli(['invoke', 'echo', '--args', '{}']);
    expect(cli.code).toBe(64);
    expect(cli.stderr).toMatch(/Invalid args for echo: .*count/);
    await page.getByLabel('count (required)').fill('4');
    await page.getByLabel('label').fill('from the page');
    await screenshot('task');
    // What the live region says on every page from now on, in order (a later announcement may replace it).
    await page.addInitScript(`
      window.heard = [];
      new MutationObserver(() => {
        const text = document.getElementById('announce')?.textContent ?? '';
        if (text !== '' && window.heard.at(-1) !== text) window.heard.push(text);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    `);
    await startFromForm();
    await page.waitForURL(/\/runs\/\d{8}-\d{6}-/);
    // The start is announced on the run's page: an announcement made before the page changed would be lost with it.
    const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
    await expect.poll(() => page.evaluate('window.heard')).toContain(`Started run ${runId}`);
    await expect.poll(() => page.locator('dl.facts').textContent()).toContain('0 (succeeded)');
    expect(await page.locator('dl.facts').textContent()).toContain('"label":"from the page"');
    expect(await page.locator('dl.facts').textContent()).toContain('ui');
  });

  it('asks before it starts a run: Enter in a field opens the question with Cancel focused, and Cancel starts nothing', async () => {
    const before = JSON.parse((await project.cli(['runs', '--task', 'echo', '--json'])).stdout) as unknown[];
    await page.goto(address('/tasks/echo'));
    await page.getByLabel('count (required)').fill('2');
    await page.getByLabel('label').press('Enter');
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Start echo?');
    // it names the release and the args it takes, not their values
    expect(await dialog.textContent()).toContain(
      'It runs echo on the working tree, deployed first where it differs from the live release, with count, label, loud as filled in',
    );
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#form-status').textContent()).toBe('Not started.');
    expect(await dialog.count()).toBe(0);
    expect(page.url()).toContain('/tasks/echo');
    const after = JSON.parse((await project.cli(['runs', '--task', 'echo', '--json'])).stdout) as unknown[];
    expect(after).toHaveLength(before.length);
  });

  it('names the config a start on a release by its id reads, and refuses an id the stage does not keep before it asks', async () => {
    const live = (JSON.parse(readFileSync(join(project.dir, '.cnf', 'local', 'aliases.json'), 'utf8')) as { live: { admin: string } }).live
      .admin;
    const version = (JSON.parse((await project.cli(['config', 'history', '--json'])).stdout) as { live: number }).live;
    await page.goto(address('/tasks/echo'));
    await page.getByLabel('count (required)').fill('2');
    await page.locator('#release-target').fill(live);
    await page.getByRole('button', { name: 'Start run…' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.count()).toBe(1);
    expect(await dialog.textContent()).toContain(`It runs echo on release ${live} (config v${version}, its pinned config) with count`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('#release-target').fill('r-000000000000');
    await page.getByRole('button', { name: 'Start run…' }).click();
    await expect.poll(() => page.locator('#release-target').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#form-status').textContent()).toContain('r-000000000000');
    expect(await dialog.count()).toBe(0);
    // An id the stage does not keep is the one answer the field is marked for: 404, not a failure of the stage.
    const unknown = await fetch(new URL('/api/releases/r-000000000000/plan', ui.url), { headers: { 'x-cnf-token': ui.token } });
    expect(unknown.status).toBe(404);
  });

  it('refuses an empty required field before it asks, and starts one run however often Start is pressed', async () => {
    await page.goto(address('/tasks/echo'));
    await page.getByRole('button', { name: 'Start run…' }).click();
    await expect.poll(() => page.locator('#arg-count-error').textContent()).toBe('required');
    expect(await page.getByRole('dialog').count()).toBe(0);
    const before = JSON.parse((await project.cli(['runs', '--task', 'echo', '--json'])).stdout) as unknown[];
    await page.getByLabel('count (required)').fill('1');
    await page.getByRole('button', { name: 'Start run…' }).click();
    // Submitted again while it asks (a second Enter, a second click): no second question
    await page.evaluate("document.querySelector('form.args').requestSubmit()");
    expect(await page.getByRole('dialog').count()).toBe(1);
    await page.getByRole('dialog').getByRole('button', { name: 'Start' }).click();
    await page.waitForURL(/\/runs\/\d{8}-\d{6}-/);
    // The start was recorded before the page moved to it: one run, and no second one on its way.
    const after = JSON.parse((await project.cli(['runs', '--task', 'echo', '--json'])).stdout) as unknown[];
    expect(after).toHaveLength(before.length + 1);
  });

  it('refuses a request with a field the call does not take (400), naming it, and starts nothing', async () => {
    const headers = { 'x-cnf-token': ui.token, 'content-type': 'application/json' };
    const answer = await fetch(new URL('/api/runs', ui.url), {
      method: 'POST',
      headers,
      body: JSON.stringify({ task: 'noop', args: {}, runId: 'chosen-by-the-caller' }),
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: string }).error).toBe(
      'The request has a field this call does not take: "runId" (it takes task, args, release).',
    );
    expect((await project.cli(['runs', 'show', 'chosen-by-the-caller'])).code).toBe(64);
  });

  it('refuses text that is no number in a number field before anything is sent', async () => {
    await page.goto(address('/tasks/echo'));
    await page.getByLabel('count (required)').focus();
    await page.keyboard.type('1e');
    await page.getByRole('button', { name: 'Start run…' }).click();
    await expect.poll(() => page.locator('#arg-count-error').textContent()).toBe('not a number');
    expect(await page.getByLabel('count (required)').getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toContain('/tasks/echo');
  });

  it('quotes nothing typed where it does not belong: the title leaves out the address, a JSON field its text', async () => {
    await page.goto(address('/runs/typed-into-the-address'));
    await expect.poll(() => page.title()).toBe('a run · local · cnf-admin');
    // no such run: the page says so (not found, not "went wrong"), and leads back to the runs
    // (after a moment: a run id just printed by invoke --detach may not be recorded yet, and is waited for)
    await expect.poll(() => page.getByRole('link', { name: 'Go to the runs' }).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('h1').textContent()).toBe('Not found');
    // and so does its tab, which no longer says it shows a run
    expect(await page.title()).toBe('not found · local · cnf-admin');
    const unknown = await fetch(new URL('/api/runs/typed-into-the-address', ui.url), { headers: { 'x-cnf-token': ui.token } });
    expect(unknown.status).toBe(404);
    await page.goto(address('/tasks/echo'));
    await page.getByLabel('count (required)').fill('1');
    await page.getByLabel('tags').fill('typed-not-json');
    await page.getByRole('button', { name: 'Start run…' }).click();
    await expect.poll(() => page.locator('#arg-tags-error').textContent()).toMatch(/^not valid JSON/);
    expect(await page.locator('#arg-tags-error').textContent()).not.toContain('typed-not-json');
    expect(await page.locator('#form-status').textContent()).not.toContain('typed-not-json');
    expect(await page.getByLabel('tags').getAttribute('aria-invalid')).toBe('true');
    // A Release that is neither live nor a release id is marked in the same way, and not sent.
    await page.getByLabel('tags').fill('');
    await page.locator('#release-target').fill('typed-not-a-release');
    await page.getByRole('button', { name: 'Start run…' }).click();
    await expect.poll(() => page.locator('#release-target').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#release-target-error').textContent()).toMatch(/not "live" nor a release id/);
    expect(await page.evaluate('document.activeElement?.id')).toBe('release-target');
    expect(await page.getByLabel('tags').getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('#form-status').textContent()).not.toContain('typed-not-a-release');
    expect(page.url()).toContain('/tasks/echo');
  });

  it('refuses a task whose lock another run holds (75), in the words of the CLI, and goes to no run', async () => {
    const holder = await project.cli(['invoke', 'locked', '--detach', '--run-id', 'ui-lock-holder', '--', '--ms', '600000']);
    expect(holder.code).toBe(0);
    await localLogShows(project.dir, 'ui-lock-holder', 'holding the lock');
    try {
      await page.goto(address('/tasks/locked'));
      await startFromForm();
      await expect.poll(() => page.locator('#form-status').textContent()).toContain('Task locked is locked by run ui-lock-holder');
      expect(page.url()).toContain('/tasks/locked');
    } finally {
      expect((await project.cli(['stop', 'ui-lock-holder'])).code).toBe(0);
    }
  });

  it('tails a running log live, and stops the run', async () => {
    await page.goto(address('/tasks/wait-for-stop'));
    await startFromForm();
    await page.waitForURL(/\/runs\/\d{8}-\d{6}-/);
    runIds.waiting = page.url().split('/runs/')[1]?.split('?')[0] ?? '';
    // If this attempt fails, its run is stopped, so that a retry (and the bulk stop below) meets no run of it.
    onTestFailed(async () => {
      // What the page showed, and what the ledger and the log hold, for the next reader of a failure here.
      const shown = await Promise.all(
        ['#log', '#tail-state', 'dl.facts'].map((selector) =>
          page
            .locator(selector)
            .textContent({ timeout: 1000 })
            .catch(() => null),
        ),
      );
      const record = (await project.cli(['runs', 'show', runIds.waiting, '--json'])).stdout;
      console.log(`page: ${JSON.stringify(shown)}\nrecord: ${record}`);
      await project.cli(['stop', runIds.waiting]);
    });
    // The run's process starts, loads the release and prints: seconds on a loaded machine, not expect.poll's default second.
    await expect.poll(() => page.locator('#log').textContent(), { timeout: 20_000 }).toContain('waiting for a stop');
    expect(await page.locator('#tail-state').textContent()).toContain('Following');
    await page.getByRole('button', { name: 'Stop…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.locator('#log').textContent(), { timeout: 20_000 }).toContain('stopping gracefully');
    await expect.poll(() => page.locator('dl.facts').textContent(), { timeout: 20_000 }).toContain('130 (interrupted');
    const record = await project.cli(['runs', 'show', runIds.waiting, '--json']);
    expect((JSON.parse(record.stdout) as { exitCode: number; source: string }).exitCode).toBe(130);
    // the page shows the end as the ledger has it: the status, and how long the run took
    await expect.poll(() => page.locator('h1 .badge').textContent()).toBe('interrupted');
    await expect.poll(() => page.locator('dl.facts dt:has-text("Took") + dd').textContent()).toMatch(/\d+(\.\d)? (ms|s)|min/);
    // the Stop button, disabled now, gave the focus to the line that says how the run ended, not to the page
    expect(await page.evaluate('document.activeElement?.tagName')).not.toBe('BODY');
    // the runs list says it as the CLI's runs does: 130 stopped
    await page.goto(address('/runs', { task: 'wait-for-stop' }));
    expect(await page.locator('table.runs tbody tr', { hasText: runIds.waiting }).locator('td').nth(3).textContent()).toBe('130 stopped');
  });

  it('re-runs a run as a new run after a confirmation', async () => {
    await page.goto(address(`/runs/${runIds.echo}`));
    await page.getByRole('button', { name: 'Re-run on the live release…' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('same args');
    // the safe choice has the focus: one Enter starts nothing
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    await dialog.getByRole('button', { name: 'Re-run' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/runs/') && !url.pathname.endsWith(runIds.echo));
    await expect.poll(() => page.locator('dl.facts').textContent()).toContain('"label":"first"');
    // The new run's page shows its args at once, and its exit code once it has ended.
    await expect.poll(() => page.locator('dl.facts').textContent(), { timeout: 20_000 }).toContain('0 (succeeded)');
  });

  it('re-runs every run a filter selects, after showing how many', async () => {
    await page.goto(address('/runs', { task: 'exit-code' }));
    await page.getByRole('button', { name: 'Re-run all matching…' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Re-run 1 run(s)?');
    await dialog.getByRole('button', { name: 'Re-run 1' }).click();
    await expect
      .poll(() => page.locator('p.status').textContent())
      .toMatch(/^Re-run: 1 of 1 done \(\d{8}-\d{6}-\w+ → \d{8}-\d{6}-\w+\)\.$/);
    const runs = await project.cli(['runs', '--task', 'exit-code', '--json']);
    const listed = JSON.parse(runs.stdout) as { runId: string; source: string }[];
    expect(listed.map((run) => run.source)).toEqual(['ui', 'cli']);
    // the status names the run it re-ran, then the new one
    expect(await page.locator('p.status').textContent()).toBe(`Re-run: 1 of 1 done (${listed[1]?.runId} → ${listed[0]?.runId}).`);
  });

  it('stops every running run a filter selects, after showing how many', async () => {
    // Runs that have ended are not counted as runs to stop: there is nothing to ask.
    await page.goto(address('/runs', { task: 'echo' }));
    await page.getByRole('button', { name: 'Stop all matching…' }).click();
    await expect
      .poll(() => page.locator('p.status').textContent())
      .toBe('The filter selects no running runs: only a running run can be stopped.');
    expect(await page.getByRole('dialog').count()).toBe(0);
    for (let index = 0; index < 2; index += 1) {
      await page.goto(address('/tasks/wait-for-stop'));
      await startFromForm();
      await page.waitForURL(/\/runs\/\d{8}-\d{6}-/);
      await expect.poll(() => page.locator('#log').textContent(), { timeout: 20_000 }).toContain('waiting for a stop');
    }
    await page.goto(address('/runs', { task: 'wait-for-stop', status: 'running' }));
    await expect.poll(() => page.locator('table.runs tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: 'Stop all matching…' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Stop 2 run(s)?');
    await dialog.getByRole('button', { name: 'Stop 2' }).click();
    // per run, what was done; then the table shows them stopped, as the ledger does
    await expect.poll(() => page.locator('p.status').textContent()).toMatch(/^Stop: 2 of 2 done \(\d{8}-\d{6}-\w+, \d{8}-\d{6}-\w+\)\.$/);
    // (the filter is status=running: once they have ended, none is left to list)
    await expect.poll(() => page.locator('main').textContent(), { timeout: 20_000 }).toContain('No runs match.');
    await expect
      .poll(
        async () =>
          JSON.parse((await project.cli(['runs', '--task', 'wait-for-stop', '--json'])).stdout).map(
            (run: { exitCode?: number }) => run.exitCode ?? 'running',
          ),
        {
          timeout: 20_000,
        },
      )
      // The two stopped here, after the one stopped above (and any that an earlier, retried attempt stopped).
      .toSatisfy((codes: unknown[]) => codes.length >= 3 && codes.every((code) => code === 130));
  });

  it('stops a run it did not start (a detached CLI run) through the process that runs it', async () => {
    const started = await project.cli(['invoke', 'wait-for-stop', '--detach']);
    const runId = started.stdout.trim();
    // --detach returns once the run is started; its record follows a moment later.
    await localRecordWritten(project.dir, runId);
    expect((await project.cli(['runs', 'show', runId])).code).toBe(0);
    await page.goto(address(`/runs/${runId}`));
    await expect.poll(() => page.locator('#log').textContent(), { timeout: 20_000 }).toContain('waiting for a stop');
    await page.getByRole('button', { name: 'Stop…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
    await expect
      .poll(() => page.locator('.actions p.status').textContent(), { timeout: 20_000 })
      .toMatch(/^Stopping: .*through its process/);
    await expect.poll(() => page.locator('dl.facts').textContent(), { timeout: 20_000 }).toContain('130 (interrupted');
    const record = await project.cli(['runs', 'show', runId, '--json']);
    expect((JSON.parse(record.stdout) as { exitCode: number; source: string }).exitCode).toBe(130);
  });

  it('shows each task with its last run, success rate and p50/p95, and a chart with release markers', async () => {
    await page.goto(address('/tasks'));
    const echo = page.locator('table.tasks tbody tr', { has: page.getByRole('link', { name: 'echo', exact: true }) });
    expect(await echo.locator('td').nth(2).textContent()).toBe('100 %');
    await screenshot('tasks');
    await page.getByRole('link', { name: 'echo', exact: true }).click();
    await page.waitForURL(/\/tasks\/echo/);
    await expect.poll(() => page.locator('figure.chart canvas').count()).toBe(1);
    expect(await page.locator('dl.facts').textContent()).toContain('Lambda (on AWS stages; here a local Node process');
    expect(await page.locator('figure.chart [role=img]').getAttribute('aria-label')).toMatch(
      /Chart of \d+ run durations with 1 release markers/,
    );
    // The release went live before the first run, at the plot's left edge: its label starts there, on the plot, not over the axis.
    const labels = (await page.evaluate('window.releaseLabels')) as { x: number; align: string; width: number; canvasWidth: number }[];
    expect(labels.length).toBeGreaterThan(0);
    for (const label of labels) {
      expect(label.align).toBe('left');
      expect(label.x).toBeGreaterThan(40);
      expect(label.x + label.width).toBeLessThanOrEqual(label.canvasWidth);
    }
  });

  it('shows the releases with the runs of each', async () => {
    await page.goto(address('/releases'));
    const live = page.locator('ol.timeline li.live');
    expect(await live.textContent()).toMatch(/r-[0-9a-f]{12}live/);
    expect(await live.getByRole('link', { name: /run\(s\)/ }).textContent()).toMatch(/^\d+ run\(s\)$/);
    await screenshot('releases');
  });

  it('marks a deploy and a rollback on the runs, the task chart and the releases, with who moved the stage', async () => {
    appendFileSync(join(project.dir, 'lambda', 'tasks', 'noop.ts'), '\nexport const second = 2;\n');
    expect((await project.cli(['deploy'])).code).toBe(0);
    await invoke('echo', '{"count":1}');
    expect((await project.cli(['rollback', '--yes', '--reason', 'echo got slower'])).code).toBe(0);
    await invoke('echo', '{"count":3}');
    const [newest] = JSON.parse((await project.cli(['runs', '--json'])).stdout) as { caller: string; release: string }[];
    const caller = newest?.caller ?? '';
    expect(caller).toMatch(/@/);
    await page.goto(address('/runs'));
    await expect
      .poll(() => page.locator('table.runs tbody tr span.move-rollback').textContent())
      .toMatch(new RegExp(`Rolled back to ${newest?.release} with config v\\d+ by ${caller}: echo got slower$`));
    expect(await page.locator('table.runs tbody tr span.move-deploy').first().textContent()).toMatch(/Deployed r-[0-9a-f]{12} .*by /);
    await page.goto(address('/tasks/echo'));
    await expect
      .poll(() => page.locator('figure.chart [role=img]').getAttribute('aria-label'))
      .toMatch(/with 2 release markers and 1 rollback markers$/);
    await page.goto(address('/releases'));
    await expect.poll(() => page.locator('ol.moves li.move-rollback').first().textContent()).toContain(`by ${caller}: echo got slower`);
    expect(await page.locator('ol.moves li.move-deploy').count()).toBe(2);
    expect(await page.locator('ol.timeline li.live').textContent()).toContain(`deployed by ${caller}`);
    await screenshot('releases');
  });

  it("offers no re-run of a rollback's run, and copies it as the rollback command it was", async () => {
    const [rollback] = JSON.parse((await project.cli(['runs', '--task', 'cnf:rollback', '--json'])).stdout) as {
      runId: string;
      release: string;
    }[];
    const headers = { 'x-cnf-token': ui.token, 'content-type': 'application/json' };
    const shown = (await (await fetch(new URL(`/api/runs/${rollback?.runId}`, ui.url), { headers })).json()) as {
      rerun: { can: boolean; why?: string };
      cli: string;
    };
    expect(shown.rerun).toEqual({ can: false, why: expect.stringContaining('cnf-admin rollback') });
    // with the reason it was given (as a shell takes it)
    expect(shown.cli).toBe(`cnf-admin rollback --stage local --to ${rollback?.release} --reason 'echo got slower'`);
    const rerun = await fetch(new URL(`/api/runs/${rollback?.runId}/rerun`, ui.url), { method: 'POST', headers, body: '{}' });
    expect(rerun.status).toBe(400);
    expect(JSON.parse((await project.cli(['runs', '--task', 'cnf:rollback', '--json'])).stdout)).toHaveLength(1);
    // its page says it writes no log of its own, and shows its end, rather than calling its log gone
    await page.goto(address(`/runs/${rollback?.runId}`));
    await expect
      .poll(() => page.locator('#log').textContent())
      .toContain('is a rollback, which writes no log of its own: its record above');
    expect(await page.locator('#log').textContent()).not.toContain('gone');
    // Its task is cnf-admin's own, which has no page to link to (the link led to Not found): named plain, saying why.
    const task = page.locator('dl.facts dt:has-text("Task") + dd');
    expect(await task.textContent()).toBe(
      "cnf:rollback — no task page: cnf:rollback is cnf-admin's own task, not one of a release. See the runs of cnf:rollback.",
    );
    expect(await task.locator('a[href^="/tasks/"]').count()).toBe(0);
  });

  it('marks a roll-forward after the rollback on the task chart: each time a release went live', async () => {
    const forward = await project.cli(['deploy']);
    expect(forward.code, forward.stderr).toBe(0);
    await page.goto(address('/tasks/echo'));
    await expect
      .poll(() => page.locator('figure.chart [role=img]').getAttribute('aria-label'))
      .toMatch(/with 3 release markers and 1 rollback markers$/);
  });

  it('tells a rollback of the config alone from a config change', async () => {
    expect((await project.cli(['config', 'set', 'MOVE_MARK', 'one'])).code).toBe(0);
    const history = JSON.parse((await project.cli(['config', 'history', '--json'])).stdout) as { live: number };
    expect((await project.cli(['config', 'set', 'MOVE_MARK', 'two'])).code).toBe(0);
    expect((await project.cli(['config', 'rollback', `v${history.live}`])).code).toBe(0);
    await page.goto(address('/releases'));
    await expect
      .poll(() => page.locator('ol.moves li.move-config-rollback').first().textContent())
      .toMatch(new RegExp(`↩ Config rolled back to v${history.live}: v${history.live + 2} went live by `));
    expect(await page.locator('ol.moves li.move-set').first().textContent()).toMatch(/Config v\d+ went live \(set\)/);
  });

  it('runs the working tree as invoke does: a task edited since the last deploy is deployed first, and the page says so before it starts', async () => {
    const task = join(project.dir, 'lambda', 'tasks', 'noop.ts');
    const kept = readFileSync(task, 'utf8');
    const liveRelease = async () =>
      (JSON.parse(readFileSync(join(project.dir, '.cnf', 'local', 'aliases.json'), 'utf8')) as { live: { admin: string } }).live.admin;
    const before = await liveRelease();
    writeFileSync(task, kept.replace('run: async () => undefined', "run: async () => ({ ran: 'the edited tree' })"));
    await page.goto(address('/tasks/noop'));
    await page.getByRole('button', { name: 'Start run…' }).click();
    expect(await page.getByRole('dialog').textContent()).toContain('It runs noop on the working tree, deployed first where it differs');
    await page.getByRole('dialog').getByRole('button', { name: 'Start' }).click();
    await page.waitForURL(/\/runs\/\d{8}-\d{6}-/);
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toContain('the edited tree');
    const after = await liveRelease();
    expect(after).not.toBe(before);
    expect(await page.locator('dl.facts').textContent()).toContain(after);
    expect(ui.output()).toContain(`release ${after} is live (was ${before})`);
    // A re-run on the run's own release names the config it reads: that release's pinned one.
    await page.getByRole('button', { name: `Re-run on ${after}…` }).click();
    expect(await page.getByRole('dialog').textContent()).toMatch(
      new RegExp(`on its own release ${after}, with config v\\d+, its pinned config`),
    );
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    // A bulk re-run on the live release deploys the tree once, before all of its runs: a tree that does not build is said
    // once, and none of them starts (not one failed build a run).
    expect((await project.cli(['invoke', 'noop'])).code).toBe(0);
    const noopRuns = async (): Promise<number> =>
      (JSON.parse((await project.cli(['runs', '--task', 'noop', '--json'])).stdout) as unknown[]).length;
    const runsBefore = await noopRuns();
    expect(runsBefore).toBeGreaterThan(1);
    writeFileSync(task, `${kept}\nexport const broken = ;\n`);
    try {
      await page.goto(address('/runs', { task: 'noop' }));
      await page.getByRole('button', { name: 'Re-run all matching…' }).click();
      await page
        .getByRole('dialog')
        .getByRole('button', { name: /^Re-run \d+$/ })
        .click();
      await expect.poll(() => page.locator('p.status').textContent(), { timeout: 20_000 }).toContain('noop.ts');
      expect(await page.locator('p.status').textContent()).not.toMatch(/^Re-run: \d+ of/);
      expect(await noopRuns()).toBe(runsBefore);
    } finally {
      writeFileSync(task, kept);
    }
  });

  it('can be used with the keyboard alone: a skip link, then the sections in order', async () => {
    await page.goto(ui.url);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Runs' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Runs');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tasks\?/);
  });

  it("fits a phone's width: at 375 px the page does not pan, a wide table scrolls on its own, and the chart fits", async () => {
    const narrow = await browser.context.newPage();
    try {
      await narrow.setViewportSize({ width: 375, height: 740 });
      for (const [path, shown] of [
        ['/runs', 'main table'],
        ['/tasks/echo', 'main figure.chart'],
        ['/releases', 'main h2 code'],
        [`/runs/${runIds.fail}`, '#cli-command'],
      ] as const) {
        const address = new URL(ui.url);
        address.pathname = path;
        await narrow.goto(address.href);
        await narrow.locator(shown).first().waitFor();
        expect(await narrow.evaluate('document.documentElement.scrollWidth'), path).toBeLessThanOrEqual(375);
      }
      // The task chart is drawn as wide as the phone leaves it: the whole of it shows, with nothing to scroll.
      const task = new URL(ui.url);
      task.pathname = '/tasks/echo';
      await narrow.goto(task.href);
      await narrow.locator('main figure.chart canvas').waitFor();
      await expect
        .poll(() =>
          narrow.evaluate("(({ scrollWidth, clientWidth }) => scrollWidth - clientWidth)(document.querySelector('main figure.chart'))"),
        )
        .toBe(0);
      expect(await narrow.locator('main figure.chart canvas').evaluate((canvas) => canvas.getBoundingClientRect().width)).toBeLessThan(375);
    } finally {
      await narrow.close();
    }
  });

  it('copies and suggests commands as the user ran cnf-admin: npx cnf-admin under npx, and ui itself with the flags it was given', async () => {
    const underNpx = await startUi(project.dir, ['--host', 'localhost'], { npm_command: 'exec', npm_lifecycle_event: 'npx' });
    try {
      const session = await fetch(new URL('/api/session', underNpx.url), { headers: { 'x-cnf-token': underNpx.token } });
      expect(((await session.json()) as { restart: string }).restart).toBe('npx cnf-admin ui --stage local --host localhost');
      const answer = await fetch(new URL(`/api/runs/${runIds.echo}`, underNpx.url), { headers: { 'x-cnf-token': underNpx.token } });
      const shown = (await answer.json()) as { cli: string; cliLive: string };
      expect(shown.cli).toMatch(/^npx cnf-admin invoke echo --stage local --release r-[0-9a-f]{12} /);
      expect(shown.cliLive).toMatch(/^npx cnf-admin invoke echo --stage local /);
    } finally {
      await underNpx.stop();
    }
  });

  it('masks a value made secure while it runs, in a run it had already shown', async () => {
    const value = 'made-secure-while-ui-runs-9d2e';
    const runId = await invoke('echo', JSON.stringify({ count: 1, label: value }));
    const shown = async (): Promise<string> =>
      (await fetch(new URL(`/api/runs/${runId}`, ui.url), { headers: { 'x-cnf-token': ui.token } })).text();
    expect(await shown()).toContain(value);
    expect((await project.cli(['config', 'set', 'UI_LATER_TOKEN', '-', '--secure'], { input: `${value}\n` })).code).toBe(0);
    const masked = await shown();
    expect(masked).not.toContain(value);
    expect(masked).toContain('[redacted]');
  });

  it('says what is wrong with a damaged parameter set, as the CLI does, quoting none of it', async () => {
    const file = join(project.dir, '.cnf', 'local', 'parameters.json');
    const kept = readFileSync(file, 'utf8');
    writeFileSync(file, 'garbage\n');
    // A ui that reads the set afresh (the running one reads it again every 30 s).
    const fresh = await startUi(project.dir);
    try {
      const answer = await fetch(new URL('/api/runs', fresh.url), { headers: { 'x-cnf-token': fresh.token } });
      expect(answer.status).toBe(409);
      const body = (await answer.json()) as { error: string; hint?: string };
      expect(body.error).toContain('parameters.json: not valid JSON at line 1, column 1');
      expect(body.error).not.toContain('garbage');
      expect(body.hint).toContain('restore the file from a backup');
    } finally {
      writeFileSync(file, kept);
      await fresh.stop();
    }
  });

  it('stops on Ctrl-C, says so, and exits 0; a run it started ends first, shown on its open page; an open list then says the server stopped', async () => {
    // A run the page started, followed on a page of its own.
    const runPage = await browser.context.newPage();
    await runPage.goto(address('/tasks/wait-for-stop'));
    await runPage.getByRole('button', { name: 'Start run…' }).click();
    await runPage.getByRole('dialog').getByRole('button', { name: 'Start' }).click();
    await runPage.waitForURL(/\/runs\/\d{8}-\d{6}-/);
    await expect.poll(() => runPage.locator('#log').textContent(), { timeout: 20_000 }).toContain('waiting for a stop');
    await page.goto(address('/runs'));
    await expect.poll(() => page.locator('#follow-note').count()).toBe(1);
    const result = await ui.stop();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Stopped cnf-admin ui; 1 run(s) it started were asked to stop and recorded how they ended.');
    // The run's page got its end before the server closed: it says how the run ended, not that it stopped following.
    await expect.poll(() => runPage.locator('#tail-state').textContent(), { timeout: 20_000 }).toBe('The run ended with exit 130.');
    await runPage.close();
    // The runs list's next read finds no server: the page says so in its own words, not the browser's "Failed to fetch".
    await expect
      .poll(() => page.locator('p.status').textContent(), { timeout: 20_000 })
      .toBe(
        "cnf-admin ui is not answering: it may have stopped. Start it again with cnf-admin ui --stage local, then open the address it prints (this page's address holds the old session's token).",
      );
    expect(await page.locator('#follow-note').textContent()).toBe('This page no longer follows the ledger.');
  });
});
