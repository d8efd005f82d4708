import { visibleText } from '../lib/cli/ui/terminal-text.js';
import { ApiError, get, href, post } from './api.js';
import { confirmAction } from './confirm-dialog.js';
import { announce, badge, duration, h, show, when } from './dom.js';
import { moveText, type StageMove } from './moves.js';
import type { Session } from './session.js';

interface RunRow {
  runId: string;
  task: string;
  status: string;
  exitCode?: number;
  exit?: string;
  meaning?: string;
  durationMs?: number;
  startedAt: string;
  caller: string;
  source: string;
  release: string;
  config?: string;
}

/** What the filter says of a From after its To. */
const FROM_AFTER_TO = 'From is after To: no run can match. Swap them, or clear one.';

const FILTERS = ['status', 'task', 'release', 'caller', 'source', 'from', 'to', 'all'] as const;
const SOURCES = ['cli', 'schedule', 'console', 'release-phase', 'ui'];

function currentFilter(): Record<string, string> {
  const params = new URLSearchParams(location.search);
  const filter: Record<string, string> = {};
  for (const key of FILTERS) {
    const value = params.get(key);
    if (value !== null && value !== '') filter[key] = value;
  }
  return filter;
}

function field(label: string, control: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

function select(name: string, values: string[], current: string | undefined): HTMLSelectElement {
  return h(
    'select',
    { name },
    h('option', { value: '' }, 'any'),
    ...values.map((value) => h('option', { value, selected: value === current }, value)),
  );
}

function filterForm(session: Session, filter: Record<string, string>): HTMLFormElement {
  // The fields show the instant in the browser's own time zone, to the second, as the submit reads them back, and as the table shows times.
  const local = (iso: string | undefined): string => {
    const instant = iso === undefined ? Number.NaN : Date.parse(iso);
    if (Number.isNaN(instant)) return '';
    return new Date(instant - new Date(instant).getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
  };
  // A filter whose From is after its To (typed into the address) selects nothing: said at once, not only on a submit.
  const backwards = filter.from !== undefined && filter.to !== undefined && filter.from > filter.to;
  const problem = h('p', { class: 'field-error', role: 'alert' }, backwards ? FROM_AFTER_TO : '');
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter runs', role: 'search' },
    field('Status', select('status', session.statuses, filter.status)),
    field('Task', h('input', { name: 'task', value: filter.task ?? '', list: 'task-names', autocomplete: 'off' })),
    field('Release', h('input', { name: 'release', value: filter.release ?? '', placeholder: 'r-…' })),
    field('Caller', h('input', { name: 'caller', value: filter.caller ?? '' })),
    field('Source', select('source', SOURCES, filter.source)),
    field('From', h('input', { name: 'from', type: 'datetime-local', step: 1, value: local(filter.from) })),
    field('To', h('input', { name: 'to', type: 'datetime-local', step: 1, value: local(filter.to) })),
    h(
      'label',
      { class: 'check' },
      h('input', { type: 'checkbox', name: 'all', value: '1', checked: filter.all === '1' }),
      ' console evaluations too',
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Filter'),
    h('a', { href: href('/runs') }, 'Clear'),
    problem,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const params: Record<string, string> = {};
    for (const [key, value] of data.entries()) {
      const text = String(value);
      if (text === '') continue;
      // To takes in the whole second it shows: a run started at 10:58:42.5 is one of those up to 10:58:42.
      params[key] = key === 'from' ? new Date(text).toISOString() : key === 'to' ? new Date(Date.parse(text) + 999).toISOString() : text;
    }
    if (params.from !== undefined && params.to !== undefined && params.from > params.to) {
      problem.textContent = FROM_AFTER_TO;
      return;
    }
    location.assign(href('/runs', params));
  });
  return form;
}

/**
 * The moves of the live pair between the runs: each run gets those that
 * came after it started and before the next newer run (the newest run, those up to now).
 */
function movesAfter(rows: RunRow[], moves: StageMove[]): StageMove[][] {
  return rows.map((run, index) => {
    const newer = index === 0 ? undefined : rows[index - 1]?.startedAt;
    return moves.filter((move) => move.at >= run.startedAt && (newer === undefined || move.at < newer));
  });
}

function table(rows: RunRow[], moves: StageMove[]): HTMLElement {
  const after = movesAfter(rows, moves);
  return h(
    'table',
    { class: 'runs' },
    h('caption', { class: 'visually-hidden' }, 'Runs, newest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Run', 'Task', 'Status', 'Exit', 'Took', 'Started', 'Caller', 'Source', 'Release'].map((name) =>
          h('th', { scope: 'col' }, name),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((run, index) =>
        h(
          'tr',
          { class: after[index]?.length ? 'before-move' : undefined },
          h('td', {}, h('a', { href: href(`/runs/${encodeURIComponent(run.runId)}`) }, run.runId)),
          h('td', {}, run.task),
          h('td', {}, badge(run.status)),
          h('td', { title: run.meaning ?? 'still running' }, run.exit ?? '–'),
          h('td', {}, duration(run.durationMs)),
          h('td', {}, when(run.startedAt)),
          h('td', { class: 'caller' }, visibleText(run.caller)),
          h('td', {}, run.source),
          h(
            'td',
            {},
            // An id and its config read as one piece each: neither breaks at its hyphen or space.
            h('span', { class: 'nowrap' }, run.release),
            run.config === undefined ? '' : [' ', h('span', { class: 'dim nowrap' }, run.config)],
            ...(after[index] ?? []).map((move) =>
              h('span', { class: `move move-${move.cause}` }, `then ${when(move.at)}: ${moveText(move)}`),
            ),
          ),
        ),
      ),
    ),
  );
}

async function bulk(
  action: 'rerun' | 'stop',
  filter: Record<string, string>,
  status: HTMLElement,
  refresh: (stopping: readonly string[]) => Promise<void>,
): Promise<void> {
  // Only a running run can be stopped: a stop counts, and asks about, the running runs the filter selects.
  const selected = action === 'stop' ? { ...filter, status: 'running' } : filter;
  const selection =
    action === 'stop' && filter.status !== undefined && filter.status !== 'running'
      ? { count: 0, runIds: [] }
      : await get<{ count: number; runIds: string[]; more?: boolean }>(`/api/selection?${new URLSearchParams(selected).toString()}`);
  const verb = action === 'rerun' ? 'Re-run' : 'Stop';
  if (selection.count === 0) {
    status.textContent =
      action === 'stop' ? 'The filter selects no running runs: only a running run can be stopped.' : 'The filter selects no runs.';
    return;
  }
  const what = action === 'stop' ? 'running runs' : 'runs';
  const counted =
    selection.more === true
      ? `The newest ${selection.count} of the ${what} this filter selects are taken.`
      : `${selection.count} ${what.slice(0, -1)}(s) match this filter.`;
  const detail =
    action === 'rerun'
      ? `${counted} Each starts again as a new run with its task and args, on the live release.`
      : `${counted} Those that can be stopped are asked to stop; the rest are left as they are.`;
  if (!(await confirmAction(`${verb} ${selection.count} run(s)?`, detail, `${verb} ${selection.count}`))) return;
  // A bulk action of many runs takes a while (a run at a time): the page says it is under way until it has ended.
  status.textContent = `${action === 'rerun' ? 'Re-running' : 'Stopping'} ${selection.count} run(s): under way, one at a time…`;
  announce(status.textContent);
  const result = await post<{ done: number; outcomes: { runId: string; ok: boolean; newRunId?: string; error?: string }[] }>('/api/bulk', {
    action,
    runIds: selection.runIds,
    on: 'live',
  });
  const failed = result.outcomes.filter((outcome) => !outcome.ok);
  const done = result.outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.runId);
  // A re-run names the new run it started beside the one it re-ran.
  const told = result.outcomes
    .filter((outcome) => outcome.ok)
    .map((outcome) => (outcome.newRunId === undefined ? outcome.runId : `${outcome.runId} → ${outcome.newRunId}`));
  // Per run, what was done: those done by id, and why each of the rest was not.
  status.textContent = `${verb}: ${result.done} of ${selection.count} done${told.length === 0 ? '' : ` (${fewRunIds(told)})`}.${notDone(failed)}`;
  announce(status.textContent);
  await refresh(action === 'stop' ? done : []);
}

/** How often the first page of runs reads the ledger again. */
const FOLLOW_MS = 3000;

/** At most this many run ids in a bulk action's summary: the rest are counted. */
const NAMED_IN_SUMMARY = 5;

/** Run ids in a summary: the first few, then how many more. */
function fewRunIds(ids: readonly string[]): string {
  const named = ids.slice(0, NAMED_IN_SUMMARY).join(', ');
  return ids.length > NAMED_IN_SUMMARY ? `${named} and ${ids.length - NAMED_IN_SUMMARY} more` : named;
}

/** The runs a bulk action did not act on, by reason: ` Not done: 3 (The run has ended.): a, b, c.`; empty for none. */
function notDone(failed: readonly { runId: string; error?: string }[]): string {
  const byReason = new Map<string, string[]>();
  for (const outcome of failed)
    byReason.set(outcome.error ?? 'no reason given', [...(byReason.get(outcome.error ?? 'no reason given') ?? []), outcome.runId]);
  return [...byReason].map(([reason, ids]) => ` Not done: ${ids.length} (${reason}): ${fewRunIds(ids)}.`).join('');
}

/**
 * A page of runs as `/api/runs` answers it: `at` holds the list for the pages after it; `lastPage` (from 0), on a page
 * past the end of a list that holds runs, is the last page that holds some.
 */
interface RunsPage {
  runs: RunRow[];
  hasMore: boolean;
  moves: StageMove[];
  at?: string;
  lastPage?: number;
}

/** The runs page: filters (in the address), one page of runs (the first following the ledger), paging, and bulk actions on what the filter selects. */
async function runsView(loading: Promise<Session>): Promise<void> {
  const filter = currentFilter();
  const address = new URLSearchParams(location.search);
  // The address numbers pages from 1, as the page shows them; one that is no such number (typed into it) shows the first, and says so.
  const typedPage = address.get('page') ?? '1';
  const pageText = /^[1-9]\d*$/.test(typedPage) ? typedPage : '1';
  // From 0 here and in the API.
  const page = Number(pageText) - 1;
  // Pages after the first hold the list where it was when the first was read (`at`): runs started since shift no page.
  const at = address.get('at');
  const held: Record<string, string> = page > 0 && at !== null ? { at } : {};
  const query = new URLSearchParams({ ...filter, page: String(page), ...held });
  const read = (): Promise<RunsPage> => get<RunsPage>(`/api/runs?${query.toString()}`);
  const [session, list] = await Promise.all([loading, read()]);
  const paged = (runs: RunsPage, to: number): string =>
    href('/runs', { ...filter, page: String(to + 1), ...(to > 0 && runs.at !== undefined ? { at: runs.at } : {}) });
  const status = h(
    'p',
    { class: 'status', role: 'status' },
    typedPage === pageText ? '' : `page takes a page number (1, 2, …), got ${JSON.stringify(typedPage)}: this is the first page.`,
  );
  const filtered = Object.keys(filter).some((key) => key !== 'all');
  // A page past the end of a list that holds runs says so, and leads back to the pages that hold them.
  const pastTheEnd = (runs: RunsPage, last: number): HTMLElement =>
    h(
      'p',
      { id: 'past-the-end' },
      `No more runs: page ${page + 1} is past the end of this list, which ends on page ${last + 1}. `,
      'Go to ',
      last > 0 ? [h('a', { href: paged(runs, last) }, `the last page, page ${last + 1},`), ' or to '] : '',
      h('a', { href: paged(runs, 0) }, 'the first page'),
      '.',
    );
  const listed = (runs: RunsPage): HTMLElement =>
    h(
      'div',
      { class: 'listing' },
      runs.runs.length > 0
        ? table(runs.runs, runs.moves)
        : runs.lastPage === undefined
          ? h('p', {}, 'No runs match.')
          : pastTheEnd(runs, runs.lastPage),
      h(
        'nav',
        { class: 'paging', 'aria-label': 'Pages' },
        page > 0 && runs.lastPage === undefined ? h('a', { href: paged(runs, page - 1), rel: 'prev' }, '← Newer') : '',
        h('span', {}, ` Page ${page + 1} `),
        runs.hasMore ? h('a', { href: paged(runs, page + 1), rel: 'next' }, 'Older →') : '',
      ),
    );
  let shown = listed(list);
  let shownAs = JSON.stringify(list);
  // A new list in place of the old; a link that had the focus keeps it (the same run's link in the new rows).
  const replaceList = (now: RunsPage): void => {
    const text = JSON.stringify(now);
    if (text === shownAs) return;
    const active = document.activeElement;
    const focused = active instanceof HTMLElement && shown.contains(active) ? active : null;
    const next = listed(now);
    shown.replaceWith(next);
    shown = next;
    shownAs = text;
    if (focused === null) return;
    // The same run's link; else the same paging link (its address moves with the list); else the list itself, never the page.
    const href = focused.getAttribute('href');
    const rel = focused.getAttribute('rel');
    const again =
      (href === null ? null : next.querySelector<HTMLElement>(`a[href="${CSS.escape(href)}"]`)) ??
      (rel === null ? null : next.querySelector<HTMLElement>(`a[rel="${CSS.escape(rel)}"]`));
    if (again !== null) return again.focus();
    next.tabIndex = -1;
    next.focus();
  };
  // After a bulk action the rows say how the runs stand now: those asked to stop, once they have ended (a stop takes a moment).
  const refresh = async (stopping: readonly string[]): Promise<void> => {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const now = await read();
      replaceList(now);
      if (!now.runs.some((run) => stopping.includes(run.runId) && run.exitCode === undefined)) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  // One bulk action at a time: both buttons wait, disabled, from the click until the action has ended (the server refuses a second too).
  const bulkButtons = h('div', { class: 'bulk', role: 'group', 'aria-label': 'Bulk actions on the runs this filter selects' });
  const act = (action: 'rerun' | 'stop') => (): void => {
    const buttons = [...bulkButtons.querySelectorAll('button')];
    for (const button of buttons) button.disabled = true;
    bulkButtons.setAttribute('aria-busy', 'true');
    void bulk(action, filter, status, refresh)
      .catch((error: Error) => (status.textContent = error.message))
      .finally(() => {
        for (const button of buttons) button.disabled = false;
        bulkButtons.removeAttribute('aria-busy');
      });
  };
  bulkButtons.append(
    h('button', { type: 'button', disabled: !filtered, onclick: act('rerun') }, 'Re-run all matching…'),
    h('button', { type: 'button', disabled: !filtered, onclick: act('stop') }, 'Stop all matching…'),
    filtered ? '' : h('span', { class: 'dim' }, ' Filter first to act on many runs.'),
  );
  show(
    h('h1', {}, 'Runs'),
    filterForm(session, filter),
    h('datalist', { id: 'task-names' }, ...session.taskNames.map((name) => h('option', { value: name }))),
    bulkButtons,
    status,
    page === 0 ? h('p', { class: 'dim', id: 'follow-note' }, 'This page follows the ledger: runs show here as they start and end.') : '',
    shown,
  );
  // The first page follows the ledger while the tab is shown; the pages after it hold the list where it was.
  if (page === 0) followLedger(read, replaceList, status);
}

/**
 * Reads the first page again every {@link FOLLOW_MS} while the tab is shown,
 * and shows what changed. A read that fails ends the following, saying why
 * (a server that stopped says how to start it again).
 */
function followLedger(read: () => Promise<RunsPage>, replaceList: (now: RunsPage) => void, status: HTMLElement): void {
  const next = (): void => void setTimeout(() => void once(), FOLLOW_MS);
  const once = async (): Promise<void> => {
    if (document.hidden) return next();
    try {
      replaceList(await read());
    } catch (error) {
      status.textContent = (error as Error).message;
      // Said in a box, as a note is: the list below it no longer moves, and the reader should not miss why.
      status.classList.add('note');
      // A server that stopped has said how to start it again (this address's token is the old one's): no reload advice then.
      document
        .getElementById('follow-note')
        ?.replaceChildren(
          error instanceof ApiError && error.status === 0
            ? 'This page no longer follows the ledger.'
            : 'This page no longer follows the ledger: reload it to follow again.',
        );
      return;
    }
    next();
  };
  next();
}

export { runsView };
export type { RunRow };
