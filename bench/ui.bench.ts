/**
 * The `cnf-admin ui` page on the local stage, in chromium:
 *
 * - the first page of 10,000 runs, served and rendered, against reading the
 *   ledger alone (every run's record, read and parsed, in this process):
 *   target 2x;
 * - the same first page with 100,000 runs (another copy of the app, its
 *   own ui beside the first, the loads alternating) against with 10,000:
 *   the page reads the runs it shows through the ledger's index, not every
 *   record, so ten times the runs must not cost ten times the time: target 1.5x;
 * - the live tail: how long a line written to a running run's log takes to
 *   show on its page, against the 1 s the issue allows: target 1x.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localPaths, runLogFile } from '../lib/platform/local/local-paths.js';
import { CONSOLE_TASK } from '../lib/core/task-catalog.js';
import type { RunRecord } from '../lib/core/run.js';
import { FileLedger } from '../lib/runtime/ledger/file-ledger.js';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/support/browser.js';
import { createTestProject } from '../test/support/test-project.js';
import { startUi } from '../test/support/ui-process.js';
import { median, type Benchmark, type BenchResult } from './support/measure.js';

const RUNS = 10_000;
const MANY_RUNS = 100_000;
const LOADS = 9;
const TAILS = 7;

/** Writes the records of `count` runs (a minute apart, the later the newer), as a ledger from before its index would hold them. */
function seedLedger(dir: string, release: string, count: number): void {
  const runs = join(dir, 'runs');
  mkdirSync(runs, { recursive: true });
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  for (let index = 0; index < count; index += 1) {
    const startedAt = new Date(start + index * 60_000).toISOString();
    const runId = `${startedAt.replace(/[-:]/g, '').slice(0, 15).replace('T', '-')}-b${String(index).padStart(6, '0')}`;
    const record: RunRecord = {
      runId,
      task: index % 3 === 0 ? 'fail' : 'echo',
      args: { count: index },
      release,
      source: 'cli',
      caller: 'bench@machine',
      startedAt,
      endedAt: new Date(start + index * 60_000 + 1000).toISOString(),
      exitCode: index % 3 === 0 ? 1 : 0,
      durationMs: 1000,
      log: join(dir, 'logs', `${runId}.log`),
    };
    writeFileSync(join(runs, `${runId}.json`), JSON.stringify(record));
  }
}

/** Reading the ledger alone: every run's record, read and parsed (what a listing without an index must do). */
function readLedger(dir: string): number {
  const started = performance.now();
  const runs = join(dir, 'runs');
  let count = 0;
  for (const name of readdirSync(runs))
    if (name.endsWith('.json') && (JSON.parse(readFileSync(join(runs, name), 'utf8')) as RunRecord).runId !== '') count += 1;
  if (count === 0) throw new Error('The ledger is empty');
  return performance.now() - started;
}

/** The first page of runs, served and rendered: the address loaded until its 50th row shows. */
async function loadFirstPage(page: Page, url: string): Promise<number> {
  const started = performance.now();
  await page.goto(url);
  await page.locator('table.runs tbody tr').nth(49).waitFor();
  return performance.now() - started;
}

/** A copy of the tasks app whose ledger holds `runs` runs of its release, seeded as from before its index. */
async function projectWithRuns(runs: number): Promise<ReturnType<typeof createTestProject>> {
  const project = createTestProject('tasks');
  const first = await project.cli(['invoke', 'noop', '--json']);
  const release = (JSON.parse(first.stdout) as { release: string }).release;
  seedLedger(localPaths({ stateDir: join(project.dir, '.cnf') }).ledger, release, runs);
  return project;
}

const benchmark: Benchmark = async () => {
  const few = await projectWithRuns(RUNS);
  const many = await projectWithRuns(MANY_RUNS);
  // The seeded records written out to disk first: the writes of 100,000 files would otherwise go on under the loads timed.
  spawnSync('sync');
  const browser = await launchBrowser();
  const paths = localPaths({ stateDir: join(few.dir, '.cnf') });
  const ui = await startUi(few.dir);
  const manyUi = await startUi(many.dir);
  try {
    const page = await browser.context.newPage();
    const ledger = new FileLedger(paths.ledger);
    const readMs: number[] = [];
    const pageMs: number[] = [];
    const listMs: number[] = [];
    const manyMs: number[] = [];
    // Warm-up: the browser's and each server's first load (which indexes the runs seeded without an index).
    await loadFirstPage(page, ui.url);
    await loadFirstPage(page, manyUi.url);
    // Alternating, so that the machine's moods fall on every side alike.
    for (let index = 0; index < LOADS; index += 1) {
      readMs.push(readLedger(paths.ledger));
      pageMs.push(await loadFirstPage(page, ui.url));
      manyMs.push(await loadFirstPage(page, manyUi.url));
      const started = performance.now();
      await ledger.list({ excludeTasks: [CONSOLE_TASK], limit: 51 });
      listMs.push(performance.now() - started);
    }
    const list: BenchResult = {
      name: `ui: first page of ${RUNS} local runs, served and rendered, vs reading the ledger alone`,
      value: median(pageMs) / median(readMs),
      unit: 'ratio',
      target: 2,
      detail: `median ${median(pageMs).toFixed(0)} ms (page) vs ${median(readMs).toFixed(0)} ms (every record read) over ${LOADS} alternating loads; the page's query alone ${median(listMs).toFixed(1)} ms`,
    };
    const scale: BenchResult = {
      name: `ui: first page of ${MANY_RUNS} local runs vs of ${RUNS}, served and rendered`,
      value: median(manyMs) / median(pageMs),
      unit: 'ratio',
      target: 1.5,
      detail: `median ${median(manyMs).toFixed(0)} ms vs ${median(pageMs).toFixed(0)} ms over ${LOADS} alternating loads of two apps' pages, served side by side`,
    };

    // The live tail: a run that waits, its page open, and lines appended to its log.
    await page.goto(`${ui.origin}/tasks/wait-for-stop?token=${ui.token}`);
    await page.getByRole('button', { name: 'Start run…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Start' }).click();
    await page.waitForURL(/\/runs\/\d{8}-\d{6}-/);
    await page.locator('#log', { hasText: 'waiting for a stop' }).waitFor();
    const runId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const tailMs: number[] = [];
    for (let index = 0; index < TAILS; index += 1) {
      const marker = `bench tail line ${index}`;
      const started = performance.now();
      appendFileSync(runLogFile(paths, runId), `${marker}\n`);
      await page.locator('#log', { hasText: marker }).waitFor();
      tailMs.push(performance.now() - started);
    }
    await page.getByRole('button', { name: 'Stop…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
    await page.locator('#tail-state', { hasText: 'The run ended' }).waitFor();
    const tail: BenchResult = {
      name: 'ui: a line written to a running log, shown on its page, vs 1 s',
      value: median(tailMs) / 1000,
      unit: 'ratio',
      target: 1,
      detail: `median ${median(tailMs).toFixed(0)} ms, max ${Math.max(...tailMs).toFixed(0)} ms over ${TAILS} lines`,
    };
    return [list, scale, tail];
  } finally {
    await Promise.all([ui.stop(), manyUi.stop()]);
    await browser.close();
    await Promise.all([few.cleanup(), many.cleanup()]);
  }
};

export default benchmark;
