import { visibleText } from '../lib/cli/ui/terminal-text.js';
import { ApiError, get, href, post, stream } from './api.js';
import { confirmAction } from './confirm-dialog.js';
import { announce, badge, duration, goAnnouncing, h, show, when } from './dom.js';
import { logTail } from './log-tail.js';
import type { Session } from './session.js';

interface RunDocument {
  record: {
    runId: string;
    task: string;
    args: Record<string, unknown>;
    release: string;
    source: string;
    caller: string;
    startedAt: string;
    endedAt?: string;
    exitCode?: number;
    durationMs?: number;
    configFingerprint?: string;
    configVersion?: number;
    error?: { name: string; message: string };
    /** When the container task ECS started took the run over (`runs show`'s `in task`). */
    containerStartedAt?: string;
  };
  status: string;
  meaning?: string;
  /** When an interrupt reached the run, as `runs show` says it (none for a lost run no interrupt reached). */
  interruptedAt: string | null;
  /** Whether `/tasks/<task>` shows the run's task (the live release has it), and why not where it does not. */
  taskPage: { can: boolean; why?: string };
  /** ownConfig: the config version a re-run on the run's own release reads (its pinned one), null where unknown. */
  rerun: { can: boolean; why?: string; ownConfig?: number | null };
  stop: { can: boolean; why?: string };
  cli: string;
  cliLive: string;
  /** The command that prints the run's whole log: `cnf-admin logs <runId> --stage <stage>`. */
  logs: string;
}

type LogFrame =
  | { type: 'line'; text: string }
  | { type: 'notice'; text: string }
  | {
      type: 'result';
      result: { exitCode: number; durationMs: number; output?: unknown; error?: { name: string; message: string } };
      meaning: string;
    };

/** A run's config, as `cnf-admin runs show` says it: ` · config v5 (cfg-…)`, as far as the record knows it. */
function configOf(record: { configVersion?: number; configFingerprint?: string }): string {
  const version = record.configVersion === undefined ? undefined : `v${record.configVersion}`;
  const said = [
    version,
    record.configFingerprint === undefined ? undefined : version === undefined ? record.configFingerprint : `(${record.configFingerprint})`,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
  return said === '' ? '' : ` · config ${said}`;
}

function fact(term: string, ...value: (Node | string)[]): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, ...value)];
}

/** The run's task: a link to its page where it has one; else its name, plain, with why it has none and a link to its runs. */
function taskFact(task: string, page: RunDocument['taskPage']): (Node | string)[] {
  if (page.can) return [h('a', { href: href(`/tasks/${encodeURIComponent(task)}`) }, task)];
  return [
    task,
    h(
      'span',
      { class: 'dim', id: 'task-page-why' },
      ` — no task page: ${page.why ?? ''} `,
      h('a', { href: href('/runs', { task }) }, `See the runs of ${task}`),
      '.',
    ),
  ];
}

/* Whether a re-run is being asked or started: a second click or Enter meanwhile starts no second run. */
let rerunning = false;

async function rerun(run: RunDocument, on: 'live' | 'own', session: Session): Promise<void> {
  if (rerunning) return;
  rerunning = true;
  try {
    // Once started, the page goes to the new run: no second start until it does.
    rerunning = await rerunConfirmed(run, on, session);
  } catch (error) {
    rerunning = false;
    throw error;
  }
}

/** Asks, then starts the re-run and goes to it: whether it started. */
async function rerunConfirmed(run: RunDocument, on: 'live' | 'own', session: Session): Promise<boolean> {
  const ok = await confirmAction(
    `Re-run ${run.record.task}?`,
    `It starts a new run of ${run.record.task} with the same args, on ${on === 'live' ? liveTarget(session) : ownTarget(run)}.`,
    'Re-run',
  );
  if (!ok) return false;
  const started = await post<{ runId: string }>(`/api/runs/${encodeURIComponent(run.record.runId)}/rerun`, { on });
  goAnnouncing(href(`/runs/${encodeURIComponent(started.runId)}`), `Started run ${started.runId}`);
  return true;
}

/** Where a run on the live release runs: the checkout where it is what runs (deployed first, as invoke does). */
function liveTarget(session: Session): string {
  return session.checkoutRuns
    ? 'the working tree, deployed first where it differs from the live release (as cnf-admin invoke does), with the live config'
    : 'the live release, with the live config';
}

/** Where a re-run on the run's own release runs: that release with its pinned config, said against the config this run read. */
function ownTarget(run: RunDocument): string {
  const { release, configVersion } = run.record;
  const pinned = run.rerun.ownConfig;
  if (pinned === undefined || pinned === null)
    return `its own release ${release}, with its pinned config (the live one, where it was never live)`;
  const read = configVersion === undefined || configVersion === pinned ? '' : `; this run read config v${configVersion}`;
  return `its own release ${release}, with config v${pinned}, its pinned config${read}`;
}

async function stop(run: RunDocument, status: HTMLElement): Promise<void> {
  const ok = await confirmAction(`Stop run ${run.record.runId}?`, 'The run is asked to stop; it records how it ended (exit 130).', 'Stop');
  if (!ok) return;
  const answer = await post<{ stopping: string }>(`/api/runs/${encodeURIComponent(run.record.runId)}/stop`, {});
  status.textContent = `Stopping: ${answer.stopping}.`;
  announce(status.textContent);
}

function actions(run: RunDocument, session: Session): HTMLElement {
  const status = h('p', { class: 'status', role: 'status' });
  const fail = (error: Error): void => {
    status.textContent = error.message;
    announce(error.message);
  };
  // Shown as the log lines are, with nothing that cannot be seen or that reorders it; copied as the run had it.
  const shownCli = visibleText(run.cli);
  const escaped = shownCli !== run.cli;
  const copy = async (): Promise<void> => {
    await navigator.clipboard.writeText(run.cli).then(
      () => (status.textContent = 'Copied the CLI command.'),
      () =>
        (status.textContent = escaped
          ? 'The clipboard is not available here, and the command below shows escaped (<U+…>, ␇) characters it holds as they are: copied from the field, it would run with other args.'
          : 'Select the command below and copy it.'),
    );
  };
  return h(
    'section',
    { 'aria-labelledby': 'actions-title', class: 'actions' },
    h('h2', { id: 'actions-title' }, 'Actions'),
    h(
      'div',
      { class: 'buttons' },
      h(
        'button',
        {
          type: 'button',
          disabled: !run.rerun.can,
          onclick: () => void rerun(run, 'live', session).catch(fail),
        },
        'Re-run on the live release…',
      ),
      h(
        'button',
        {
          type: 'button',
          disabled: !run.rerun.can,
          onclick: () => void rerun(run, 'own', session).catch(fail),
        },
        `Re-run on ${run.record.release}…`,
      ),
      h('button', { type: 'button', disabled: !run.stop.can, onclick: () => void stop(run, status).catch(fail) }, 'Stop…'),
      h('button', { type: 'button', onclick: () => void copy() }, 'Copy CLI command'),
    ),
    run.rerun.can ? '' : h('p', { class: 'note' }, run.rerun.why ?? ''),
    run.stop.can || run.record.endedAt !== undefined ? '' : h('p', { class: 'note', id: 'stop-note' }, run.stop.why ?? ''),
    session.platform === 'aws'
      ? h('p', { class: 'note' }, 'A Lambda invocation cannot be stopped mid-run: only container tasks (ECS) can be stopped.')
      : '',
    h('label', { class: 'field wide' }, h('span', {}, 'CLI command'), h('input', { readonly: true, value: shownCli, id: 'cli-command' })),
    escaped
      ? h(
          'p',
          { class: 'note', id: 'cli-command-escaped' },
          'The command holds characters that cannot be seen or that reorder text, shown here as <U+…> or ␇: Copy CLI command copies it as the run had it.',
        )
      : '',
    status,
  );
}

/** How long a run's page waits for a run id it was given to be recorded (`invoke --detach` prints the id first). */
const RECORD_WAIT_MS = 3000;

/** The run's document; a run not recorded yet is waited for a moment before it is "Not found". */
async function runDocument(runId: string): Promise<RunDocument> {
  const until = Date.now() + RECORD_WAIT_MS;
  for (;;) {
    try {
      return await get<RunDocument>(`/api/runs/${encodeURIComponent(runId)}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404 || Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** One run: what it was, how it ended, its whole log (followed live while it runs), and what can be done with it. */
async function runView(session: Session, runId: string): Promise<void> {
  const run = await runDocument(runId);
  const { record } = run;
  let statusBadge = badge(run.status);
  const exit = h('span', {}, record.exitCode === undefined ? 'running' : `${record.exitCode} (${run.meaning ?? ''})`);
  const ended = h('span', {}, record.endedAt === undefined ? 'in progress' : when(record.endedAt));
  const took = h('span', {}, duration(record.durationMs));
  const result = h('pre', { class: 'value', id: 'result' }, '–');
  const error = h('span', {}, record.error === undefined ? '–' : visibleText(`${record.error.name}: ${record.error.message}`));
  const log = h('pre', { class: 'log', id: 'log', tabindex: '0', 'aria-label': 'Run log', 'aria-live': 'off' });
  const tail = h('p', { class: 'dim', id: 'tail-state' }, record.endedAt === undefined ? 'Following the log while the run goes on…' : '');
  const config = h('span', {}, configOf(record));
  const facts = h(
    'dl',
    { class: 'facts' },
    ...fact('Task', ...taskFact(record.task, run.taskPage)),
    ...fact('Args', h('code', { id: 'run-args' }, visibleText(JSON.stringify(record.args)))),
    ...fact('Release', h('a', { href: href('/runs', { release: record.release }) }, record.release), config),
    ...fact('Source', record.source),
    ...fact('Caller', visibleText(record.caller)),
    ...fact('Claimed and started', when(record.startedAt)),
    ...fact('Ended', ended),
    ...fact('Took', took),
    ...fact('Exit code', exit),
    ...fact('Error', error),
    ...fact('Result', result),
    ...(run.interruptedAt === null ? [] : fact('Interrupted', h('span', { id: 'interrupted-at' }, when(run.interruptedAt)))),
    ...(record.containerStartedAt === undefined ? [] : fact('In its container task since', when(record.containerStartedAt))),
  );
  const trimmed = h('p', { class: 'note', id: 'log-trimmed', hidden: true });
  show(
    h('h1', {}, 'Run ', h('code', {}, record.runId), ' ', statusBadge),
    facts,
    actions(run, session),
    h('h2', {}, 'Log'),
    tail,
    trimmed,
    log,
  );
  const follow = record.endedAt === undefined;
  // Lines arrive one frame each, up to megabytes of them: shown a batch at a time, the newest of them kept (logTail).
  const lines = logTail(log, trimmed, run.logs, follow);
  let sawEnd = false;
  const onFrame = (value: unknown): void => {
    const frame = value as LogFrame;
    if (frame.type === 'line') return lines.line(frame.text);
    if (frame.type === 'notice') return lines.notice(frame.text);
    lines.flush();
    sawEnd = true;
    // A run that had ended when the page opened keeps its record's meaning (lost, refused): the log's end knows only the code.
    exit.textContent = `${frame.result.exitCode} (${(follow ? undefined : run.meaning) ?? frame.meaning})`;
    result.textContent = frame.result.output === undefined ? '–' : visibleText(JSON.stringify(frame.result.output, null, 2));
    if (frame.result.error !== undefined) error.textContent = visibleText(`${frame.result.error.name}: ${frame.result.error.message}`);
    if (!follow) return;
    // The ledger has its end now: its status (lost and refused too), when it ended, how long it took, when an interrupt reached it.
    void get<RunDocument>(`/api/runs/${encodeURIComponent(runId)}`).then((done) => {
      const settled = badge(done.status);
      statusBadge.replaceWith(settled);
      statusBadge = settled;
      ended.textContent = when(done.record.endedAt);
      took.textContent = duration(done.record.durationMs);
      if (done.meaning !== undefined) exit.textContent = `${frame.result.exitCode} (${done.meaning})`;
      config.textContent = configOf(done.record);
      if (done.interruptedAt !== null && facts.querySelector('#interrupted-at') === null)
        facts.append(...fact('Interrupted', h('span', { id: 'interrupted-at' }, when(done.interruptedAt))));
    });
    tail.textContent = `The run ended with exit ${frame.result.exitCode}.`;
    announce(tail.textContent);
    document.querySelectorAll<HTMLButtonElement>('.actions button').forEach((button) => {
      if (button.textContent !== 'Stop…') return;
      // A disabled button cannot keep the focus: it goes to the line that says how the run ended, not to the page.
      const focused = document.activeElement === button;
      button.disabled = true;
      if (focused) {
        tail.tabIndex = -1;
        tail.focus();
      }
    });
    document.getElementById('stop-note')?.remove();
  };
  // Not awaited: the page is there (and a start announced on it) while its log streams in.
  void stream(`/api/runs/${encodeURIComponent(runId)}/log${follow ? '?follow=1' : ''}`, onFrame, new AbortController().signal).then(
    () => {
      lines.flush();
      // The stream ended without the run's end (the server closed it): the page follows nothing any more, and says so.
      if (follow && !sawEnd) tail.textContent = 'The log stopped before the run ended: reload the page to see how the run stands.';
    },
    (failure: Error) => {
      lines.flush();
      const unreachable = failure instanceof ApiError && failure.status === 0;
      // A server that stopped is said once, in the line under Log; any other failure in the log as well.
      if (!unreachable || !follow || sawEnd) lines.notice(failure.message);
      // The page no longer follows anything: it says so, rather than "Following…" over a dead stream. A server that stopped
      // has said how to start it again: a reload of this address would not help.
      if (follow && !sawEnd)
        tail.textContent = unreachable
          ? `Not following the log any more: ${failure.message}`
          : `Not following the log any more (${failure.message}): reload the page to see how the run stands.`;
    },
  );
}

export { runView };
