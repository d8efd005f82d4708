/**
 * `cnf-admin ui` on the local stage, in chromium: what the page and its
 * server guard against (a bulk action fired twice, a secret typed in
 * clear, a number out of its schema's exclusive bounds, an interrupt said
 * of a lost run, a log line's terminal controls, a log too long to hold),
 * through the real binary.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../lib/core/run.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { localLogShows, localRunEnded } from '../support/local-run-files.js';
import { holdTaskAtImport } from '../support/task-held-at-import.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { startUi, type UiProcess } from '../support/ui-process.js';

let project: TestProject;
let ui: UiProcess;
let browser: TestBrowser;
let page: Page;

const address = (path: string, params: Record<string, string> = {}) =>
  `${ui.origin}${path}?${new URLSearchParams({ token: ui.token, ...params }).toString()}`;

/** The runs of a task as `cnf-admin runs --json` lists them, newest first. */
async function runsOf(task: string): Promise<{ runId: string; source: string }[]> {
  return JSON.parse((await project.cli(['runs', '--task', task, '--json'])).stdout) as { runId: string; source: string }[];
}

/** Tasks this file adds to the fixture's copy, by name: each module's source. */
const TASKS: Readonly<Record<string, string>> = {
  login: `import * as z from 'zod';
import { defineTask } from 'cnf-admin/runtime';
export default defineTask({
  name: 'login',
  description: 'Takes a user, a token and a pin, the last two sensitive, and a password by its name alone',
  args: z.strictObject({ user: z.string(), apiToken: z.string(), pin: z.number().int().optional(), password: z.string().optional() }),
  options: { sensitiveArgs: ['apiToken', 'pin'] },
  run: async ({ args }) => ({ user: args.user, tokenLength: args.apiToken.length, pinIsNumber: typeof args.pin === 'number' }),
});
`,
  painted: `import { defineTask } from 'cnf-admin/runtime';
export default defineTask({
  name: 'painted',
  description: 'Writes colours, a progress line, a right-to-left override, and zero-width and C1 control characters',
  run: async ({ log }) => {
    process.stdout.write('\\u001b[31mRED\\u001b[0m plain\\n');
    process.stdout.write('progress 0%\\rprogress 25%\\rprogress 100%\\n');
    process.stdout.write('invoice \\u202Efdp.exe is safe\\n');
    process.stdout.write('ad\\u200Bmin\\uFEFF \\u0085next \\u009B31m\\n');
    log.info('\\u001b[32mgreen\\u001b[0m logged');
  },
});
`,
  bounded: `import * as z from 'zod';
import { defineTask } from 'cnf-admin/runtime';
export default defineTask({
  name: 'bounded',
  description: 'Takes a share above 0 and a retry count below 10: bounds its schema writes as exclusiveMinimum and exclusiveMaximum',
  args: z.strictObject({ share: z.number().positive(), retries: z.number().int().lt(10).optional() }),
  run: async ({ args }) => args,
});
`,
  'many-lines': `import { defineTask } from 'cnf-admin/runtime';
export default defineTask({
  name: 'many-lines',
  description: 'Writes 25,000 numbered lines',
  run: async () => {
    for (let index = 0; index < 25_000; index += 1) process.stdout.write(\`line \${index}\\n\`);
  },
});
`,
  slow: `import { setTimeout as sleep } from 'node:timers/promises';
import { defineTask } from 'cnf-admin/runtime';
export default defineTask({
  name: 'slow',
  description: 'Says it started, then sleeps ten minutes',
  run: async ({ log }) => {
    log.info('slow started');
    await sleep(600_000);
  },
});
`,
};

/**
 * Writes the records of `count` ended runs of echo by `caller` into the local ledger, a minute apart from `from`, as a
 * ledger from before its index holds them (the list reads each once and indexes it): a list longer than a page, or a
 * run with a caller or source no command gives, without starting as many runs. Returns their run ids.
 */
function seedRuns(count: number, caller: string, from = '2020-01-01T00:00:00.000Z', source: RunRecord['source'] = 'cli'): string[] {
  const runs = join(project.dir, '.cnf', 'local', 'runs');
  mkdirSync(runs, { recursive: true });
  const start = Date.parse(from);
  const runIds: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const startedAt = new Date(start + index * 60_000).toISOString();
    const runId = `${startedAt.replace(/[-:]/g, '').slice(0, 15).replace('T', '-')}-seed${String(index).padStart(4, '0')}`;
    const record: RunRecord = {
      runId,
      task: 'echo',
      args: { count: 1 },
      release: 'r-000000000000',
      source,
      caller,
      startedAt,
      endedAt: new Date(start + index * 60_000 + 1000).toISOString(),
      exitCode: 0,
      durationMs: 1000,
      log: join(project.dir, '.cnf', 'local', 'logs', `${runId}.log`),
    };
    writeFileSync(join(runs, `${runId}.json`), JSON.stringify(record));
    runIds.push(runId);
  }
  return runIds;
}

/** Writes {@link TASKS} into the project and registers them beside noop. */
function addTasks(): void {
  const admin = join(project.dir, 'lambda', 'admin.ts');
  const registered = Object.keys(TASKS).map((name) => `    '${name}': () => import('./tasks/${name}.js'),\n`);
  writeFileSync(admin, readFileSync(admin, 'utf8').replace('    noop: ', `${registered.join('')}    noop: `));
  for (const [name, source] of Object.entries(TASKS)) writeFileSync(join(project.dir, 'lambda', 'tasks', `${name}.ts`), source);
}

beforeAll(async () => {
  project = createTestProject('tasks');
  addTasks();
  const deployed = await project.cli(['deploy']);
  expect(deployed.code, deployed.stderr).toBe(0);
  ui = await startUi(project.dir);
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  await project?.cleanup();
});

describe('cnf-admin ui guards, on the local stage', () => {
  it('runs one bulk action at a time: the page disables its buttons and says it is under way, and the server refuses a second (409)', async () => {
    for (let index = 0; index < 2; index += 1) expect((await project.cli(['invoke', 'noop'])).code).toBe(0);
    const before = (await runsOf('noop')).map((run) => run.runId);
    // An edit of noop makes the re-run on the live release deploy the tree first, and the deploy waits at noop's import:
    // the bulk action is under way, held there, until the test lets it go on.
    const held = holdTaskAtImport(join(project.dir, 'lambda', 'tasks', 'noop.ts'));
    try {
      await page.goto(address('/runs', { task: 'noop' }));
      await page.getByRole('button', { name: 'Re-run all matching…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Re-run 2' }).click();
      await held.loaded;
      expect(await page.getByRole('button', { name: 'Re-run all matching…' }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Stop all matching…' }).isDisabled()).toBe(true);
      expect(await page.locator('p.status').textContent()).toBe('Re-running 2 run(s): under way, one at a time…');
      // Another tab (here, a plain request) asking for the same: refused while the first goes on.
      const second = await fetch(`${ui.origin}/api/bulk`, {
        method: 'POST',
        headers: { 'x-cnf-token': ui.token, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'rerun', runIds: before, on: 'live' }),
      });
      expect(second.status).toBe(409);
      expect(((await second.json()) as { error: string }).error).toMatch(
        /^A bulk re-run of 2 run\(s\) is under way \(since .+\): one bulk action at a time\. Try again once it has ended\.$/,
      );
      held.release();
      await expect.poll(() => page.locator('p.status').textContent(), { timeout: 30_000 }).toMatch(/^Re-run: 2 of 2 done /);
    } finally {
      held.release();
      held.restore();
    }
    // Enabled again once the list has been read afresh after the action.
    await expect.poll(() => page.getByRole('button', { name: 'Re-run all matching…' }).isEnabled()).toBe(true);
    // Each run re-ran once: two new runs, not four.
    expect((await runsOf('noop')).filter((run) => run.source === 'ui')).toHaveLength(2);
  });

  it('re-runs a run named twice in one bulk action once, and refuses an `on` that is neither own nor live (400), running nothing', async () => {
    expect((await project.cli(['invoke', 'noop'])).code).toBe(0);
    const [runId] = (await runsOf('noop')).map((run) => run.runId);
    const bulk = (body: unknown) =>
      fetch(`${ui.origin}/api/bulk`, {
        method: 'POST',
        headers: { 'x-cnf-token': ui.token, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const before = (await runsOf('noop')).length;
    const refused = await bulk({ action: 'rerun', runIds: [runId], on: 'r-deadbeef0000' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe(
      "on takes own (the run's own release) or live (the live one, the default).",
    );
    expect((await runsOf('noop')).length).toBe(before);
    const twice = await bulk({ action: 'rerun', runIds: [runId, runId], on: 'own' });
    expect(twice.status).toBe(200);
    expect(((await twice.json()) as { outcomes: unknown[]; done: number }).done).toBe(1);
    expect((await runsOf('noop')).length).toBe(before + 1);
  });

  it('says a page past the end of a list is past its end, not that no run matches, and leads to its last page and its first', async () => {
    seedRuns(60, 'pager@seeded');
    await page.goto(address('/runs', { caller: 'pager@seeded', page: '4' }));
    await expect
      .poll(() => page.locator('.listing p').textContent())
      .toBe('No more runs: page 4 is past the end of this list, which ends on page 2. Go to the last page, page 2, or to the first page.');
    expect(await page.locator('main').textContent()).not.toContain('No runs match.');
    // No Newer link to page 3, past the end too.
    expect(await page.locator('nav.paging a').count()).toBe(0);
    await page.getByRole('link', { name: 'the last page, page 2,' }).click();
    await page.waitForURL((url) => url.searchParams.get('page') === '2');
    await expect.poll(() => page.locator('table.runs tbody tr').count()).toBe(10);
    // the address numbers pages as the page does
    expect(await page.locator('nav.paging span').textContent()).toBe(' Page 2 ');
    await page.goto(address('/runs', { caller: 'pager@seeded', page: '4' }));
    await page.getByRole('link', { name: 'the first page' }).click();
    await page.waitForURL((url) => url.searchParams.get('page') === '1');
    await expect.poll(() => page.locator('table.runs tbody tr').count()).toBe(50);
    // A list that holds no runs says so, on any page.
    await page.goto(address('/runs', { caller: 'nobody-at-all', page: '4' }));
    await expect.poll(() => page.locator('.listing p').textContent()).toBe('No runs match.');
  });

  it('types the args a task declares sensitive hidden, kept out of autofill, and sends them as typed', async () => {
    await page.goto(address('/tasks/login'));
    const token = page.locator('#arg-apiToken');
    await token.waitFor();
    expect(await token.getAttribute('type')).toBe('password');
    expect(await token.getAttribute('autocomplete')).toBe('new-password');
    expect(await page.locator('#arg-pin').getAttribute('type')).toBe('password');
    // An arg whose name looks secret is hidden too, as the ledger redacts it; one that does not shows as typed.
    expect(await page.locator('#arg-password').getAttribute('type')).toBe('password');
    expect(await page.locator('#arg-user').getAttribute('type')).toBe('text');
    await page.locator('#arg-user').fill('ann');
    await token.fill('s3cret-token');
    await page.locator('#arg-pin').fill('1234');
    await page.getByRole('button', { name: 'Start run…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Start' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/runs/'));
    // The run got the token as typed and the pin as a number; its record keeps neither.
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toContain('"tokenLength": 12');
    expect(await page.locator('#result').textContent()).toContain('"pinIsNumber": true');
    expect(await page.locator('dl.facts').textContent()).not.toContain('s3cret-token');
  });

  it('refuses a number its schema bounds exclusively (exclusiveMinimum, exclusiveMaximum) in the field, before it asks', async () => {
    await page.goto(address('/tasks/bounded'));
    const share = page.locator('#arg-share');
    const retries = page.locator('#arg-retries');
    for (const [typedShare, typedRetries, field, problem] of [
      ['0', '', '#arg-share', 'more than 0'],
      ['-1', '', '#arg-share', 'more than 0'],
      ['0.5', '10', '#arg-retries', 'less than 10'],
    ] as const) {
      await share.fill(typedShare);
      await retries.fill(typedRetries);
      await page.getByRole('button', { name: 'Start run…' }).click();
      await expect.poll(() => page.locator(`${field}-error`).textContent()).toBe(problem);
      expect(await page.locator(field).getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByRole('dialog').count()).toBe(0);
    }
    // Just inside both bounds, the form asks, and marks nothing.
    await retries.fill('9');
    await page.getByRole('button', { name: 'Start run…' }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);
    expect(await page.locator('[aria-invalid]').count()).toBe(0);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('says no interrupt of a lost run no interrupt reached, as runs show says none', async () => {
    const { runId } = JSON.parse((await project.cli(['invoke', 'slow', '--detach', '--json'])).stdout) as { runId: string };
    await localLogShows(project.dir, runId, 'slow started');
    const record = JSON.parse(readFileSync(join(project.dir, '.cnf', 'local', 'runs', `${runId}.json`), 'utf8')) as {
      owner: { pid: number; runner: { pid: number } };
    };
    // Its supervisor and its run's process both killed, as a machine's crash would: nobody asked it to stop.
    process.kill(record.owner.pid, 'SIGKILL');
    process.kill(record.owner.runner.pid, 'SIGKILL');
    await localRunEnded(project.dir, runId);
    await page.goto(address(`/runs/${runId}`));
    await page.locator('h1 .badge', { hasText: 'lost' }).waitFor();
    expect(await page.locator('dl.facts dt').allTextContents()).not.toContain('Interrupted');
    expect(await page.locator('#interrupted-at').count()).toBe(0);
    const shown = await project.cli(['runs', 'show', runId]);
    expect(shown.stdout).toMatch(/^exit\s+130 lost$/m);
    expect(shown.stdout).not.toMatch(/^stop /m);
  });

  it('shows a log line as a terminal would, less its colours, and with nothing that reorders it or hides in it', async () => {
    const { runId } = JSON.parse((await project.cli(['invoke', 'painted', '--json'])).stdout) as { runId: string };
    await page.goto(address(`/runs/${runId}`));
    await expect.poll(() => page.locator('#log').textContent(), { timeout: 20_000 }).toContain('logged');
    const lines = ((await page.locator('#log').textContent()) ?? '').split('\n');
    expect(lines).toContain('RED plain');
    expect(lines).toContain('progress 100%');
    expect(lines).toContain('invoice <U+202E>fdp.exe is safe');
    expect(lines).toContain('ad<U+200B>min<U+FEFF> <U+0085>next <U+009B>31m');
    expect(lines.find((line) => line.endsWith('logged'))).toMatch(/ INFO +green logged$/);
    // Nothing of the escapes, the overwritten progress, the override, the zero-width or C1 characters is left in the page's text.
    expect(lines.join('\n')).not.toMatch(/\u001b|\u202e|\u200b|\ufeff|[\u0080-\u009f]|\r|progress 0%/);
  });

  it('shows who ran a run with nothing that reorders or hides in it, on its page and in the list: an event may name any caller', async () => {
    const [runId] = seedRuns(1, 'ad\u200Bmin \u202Efdp.exe', '2020-01-02T00:00:00.000Z', 'console');
    await page.goto(address(`/runs/${runId}`));
    await expect.poll(() => page.locator('dl.facts').textContent()).toContain('ad<U+200B>min <U+202E>fdp.exe');
    await page.goto(address('/runs', { source: 'console' }));
    await expect.poll(() => page.locator('td.caller').allTextContents()).toContain('ad<U+200B>min <U+202E>fdp.exe');
    expect(`${await page.locator('td.caller').allTextContents()}`).not.toMatch(/\u202e|\u200b/);
  });

  it("shows a run's args, result and CLI command with nothing that reorders them or hides in them, as its log lines; Copy CLI command copies the command as it is", async () => {
    const started = await project.cli(['invoke', 'login', '--json', '--', '--user', 'invoice \u202Efdp.exe\u200B', '--api-token', 'x']);
    const { runId } = JSON.parse(started.stdout) as { runId: string };
    await page.goto(address(`/runs/${runId}`));
    await expect.poll(() => page.locator('#run-args').textContent()).toContain('"user":"invoice <U+202E>fdp.exe<U+200B>"');
    const command = await page.locator('#cli-command').inputValue();
    expect(command).toContain('"user":"invoice <U+202E>fdp.exe<U+200B>"');
    // Its result, which holds the user as given, too.
    await expect.poll(() => page.locator('#result').textContent()).toContain('"user": "invoice <U+202E>fdp.exe<U+200B>"');
    expect(
      `${command}${(await page.locator('#run-args').textContent()) ?? ''}${(await page.locator('#result').textContent()) ?? ''}`,
    ).not.toMatch(/\u202e|\u200b/);
    expect(await page.locator('#cli-command-escaped').textContent()).toContain('Copy CLI command copies it as the run had it');
    // What Copy CLI command copies: the command as the API gives it, with the override as the run had it.
    const answer = await fetch(`${ui.origin}/api/runs/${runId}`, { headers: { 'x-cnf-token': ui.token } });
    expect(((await answer.json()) as { cli: string }).cli).toContain('"user":"invoice \u202Efdp.exe\u200B"');
  });

  it('holds the newest 10,000 lines of a long log, and says how many it left out and how to read them all', async () => {
    const { runId } = JSON.parse((await project.cli(['invoke', 'many-lines', '--json'])).stdout) as { runId: string };
    // The lines of its log, as cnf-admin logs prints them (its end, the result, goes to stderr).
    const total = (await project.cli(['logs', runId])).stdout.trimEnd().split('\n').length;
    await page.goto(address(`/runs/${runId}`));
    await expect.poll(() => page.locator('#log').textContent(), { timeout: 30_000 }).toContain('line 24999\n');
    await expect.poll(() => page.locator('#log').textContent()).toMatch(/Run ended/);
    const shown = ((await page.locator('#log').textContent()) ?? '').trimEnd().split('\n');
    expect(shown).toHaveLength(10_000);
    expect(shown).not.toContain('line 0');
    expect(await page.locator('#log-trimmed').textContent()).toBe(
      `The first ${(total - 10_000).toLocaleString('en')} lines of this log are not shown here, only its newest 10,000: read the whole log with cnf-admin logs ${runId} --stage local`,
    );
  });
  it("names a run's task plain, saying why, where the live release lacks it: its link led to Not found", async () => {
    const ran = await project.cli(['invoke', 'bounded', '--args', '{"share":1}', '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    const { runId } = JSON.parse(ran.stdout) as { runId: string };
    const { runId: noopRunId } = JSON.parse((await project.cli(['invoke', 'noop', '--json'])).stdout) as { runId: string };
    const admin = join(project.dir, 'lambda', 'admin.ts');
    const kept = readFileSync(admin, 'utf8');
    // The task removed since the run, and the release without it deployed: the live release has it no more.
    writeFileSync(admin, kept.replace("    'bounded': () => import('./tasks/bounded.js'),\n", ''));
    try {
      const deployed = await project.cli(['deploy']);
      expect(deployed.code, deployed.stderr).toBe(0);
      const live = (JSON.parse(readFileSync(join(project.dir, '.cnf', 'local', 'aliases.json'), 'utf8')) as { live: { admin: string } })
        .live.admin;
      const { release } = JSON.parse((await project.cli(['runs', 'show', runId, '--json'])).stdout) as { release: string };
      expect(live).not.toBe(release);
      // The server takes the live release it read as live for a few seconds: the run's page is read once it has the new one.
      const session = async (): Promise<string> =>
        ((await (await fetch(`${ui.origin}/api/session`, { headers: { 'x-cnf-token': ui.token } })).json()) as { liveRelease: string })
          .liveRelease;
      await expect.poll(session, { timeout: 20_000 }).toBe(live);
      await page.goto(address(`/runs/${runId}`));
      const task = page.locator('dl.facts dt:has-text("Task") + dd');
      await expect
        .poll(() => task.textContent())
        .toBe(
          `bounded — no task page: The live release ${live} has no task bounded, and a task's page shows the live release's task: this run ran it on ${release}. See the runs of bounded.`,
        );
      expect(await task.locator('a[href^="/tasks/"]').count()).toBe(0);
      await task.getByRole('link', { name: 'See the runs of bounded' }).click();
      await page.waitForURL((url) => url.pathname === '/runs' && url.searchParams.get('task') === 'bounded');
      await expect.poll(() => page.locator('table.runs tbody tr').first().textContent()).toContain(runId);
      // A run of a task the live release has links to its page, which shows it.
      await page.goto(address(`/runs/${noopRunId}`));
      await task.getByRole('link', { name: 'noop' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Task noop');
    } finally {
      writeFileSync(admin, kept);
    }
  });
});
