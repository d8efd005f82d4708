import { get, href } from './api.js';
import { argsForm, type Schema } from './args-form.js';
import { badge, duration, h, show, when } from './dom.js';
import { durationChart, type Point } from './duration-chart.js';
import type { StageMove } from './moves.js';
import type { Session } from './session.js';

interface Stats {
  runs: number;
  lastRun?: { runId: string; status: string; startedAt: string };
  successRate?: number;
  p50Ms?: number;
  p95Ms?: number;
}

interface TaskDocument {
  name: string;
  description: string;
  args: Schema;
  lock: boolean;
  /** The args the task declares sensitive: typed hidden in its form. */
  sensitiveArgs: string[];
  runtime: string;
  timeoutSeconds?: number;
  stats: Stats;
}

function rate(stats: Stats): string {
  return stats.successRate === undefined ? '–' : `${Math.round(stats.successRate * 100)} %`;
}

function lastRun(stats: Stats): HTMLElement | string {
  if (stats.lastRun === undefined) return 'never';
  return h(
    'span',
    {},
    h('a', { href: href(`/runs/${encodeURIComponent(stats.lastRun.runId)}`) }, when(stats.lastRun.startedAt)),
    ' ',
    badge(stats.lastRun.status),
  );
}

/** Every task of the live release with its last run, success rate and p50/p95 duration. */
async function tasksView(): Promise<void> {
  const { tasks, window } = await get<{ tasks: TaskDocument[]; window: number }>('/api/tasks');
  show(
    h('h1', {}, 'Tasks'),
    h('p', { class: 'dim' }, `Of the live release; numbers from the newest ${window} runs.`),
    h(
      'table',
      { class: 'tasks' },
      h(
        'thead',
        {},
        h('tr', {}, ...['Task', 'Description', 'Last run', 'Success', 'p50', 'p95', 'Runs'].map((name) => h('th', { scope: 'col' }, name))),
      ),
      h(
        'tbody',
        {},
        tasks.map((task) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('a', { href: href(`/tasks/${encodeURIComponent(task.name)}`) }, task.name)),
            h('td', {}, task.description),
            h('td', {}, lastRun(task.stats)),
            h('td', {}, rate(task.stats)),
            h('td', {}, duration(task.stats.p50Ms)),
            h('td', {}, duration(task.stats.p95Ms)),
            h('td', {}, h('a', { href: href('/runs', { task: task.name }) }, task.stats.runs)),
          ),
        ),
      ),
    ),
  );
}

/** One task: its numbers, its durations over time with release markers, and the form that starts it. */
async function taskView(name: string, session: Session): Promise<void> {
  const { platform } = session;
  const task = await get<TaskDocument & { points: Point[]; releases: { release: string; at: string }[]; rollbacks: StageMove[] }>(
    `/api/tasks/${encodeURIComponent(name)}`,
  );
  show(
    h('h1', {}, 'Task ', h('code', {}, task.name)),
    h('p', {}, task.description),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Last run'),
      h('dd', {}, lastRun(task.stats)),
      h('dt', {}, 'Success rate'),
      h('dd', {}, rate(task.stats)),
      h('dt', {}, 'p50 / p95'),
      h('dd', {}, `${duration(task.stats.p50Ms)} / ${duration(task.stats.p95Ms)}`),
      h('dt', {}, 'Runs on'),
      h(
        'dd',
        {},
        task.runtime === 'container' ? 'ECS Fargate (container)' : 'Lambda',
        platform === 'local' ? ' (on AWS stages; here a local Node process, as the local stage runs every task)' : '',
        task.lock ? ' · one run at a time (locked)' : '',
        task.timeoutSeconds === undefined ? '' : ` · timeout ${task.timeoutSeconds} s`,
      ),
      h('dt', {}, 'Runs'),
      h('dd', {}, h('a', { href: href('/runs', { task: task.name }) }, `${task.stats.runs} (see them)`)),
    ),
    durationChart(
      task.points,
      task.releases.map((release) => ({ at: release.at, label: release.release })),
      task.rollbacks.map((move) => ({ at: move.at, label: `↩ ${move.release}` })),
    ),
    argsForm(task.name, task.args, session.checkoutRuns, task.sensitiveArgs),
  );
}

export { tasksView, taskView };
