import { get, href, post, stream } from './api.js';
import { confirmAction } from './confirm-dialog.js';
import { announce, badge, duration, goAnnouncing, h, show, when } from './dom.js';
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
    interruptedAt?: string;
  };
  status: string;
  meaning?: string;
  rerun: { can: boolean; why?: string };
  stop: { can: boolean; why?: string };
  cli: string;
  cliLive: string;
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

async function rerun(run: RunDocument, on: 'live' | 'own'): Promise<void> {
  const where = on === 'live' ? 'the live release' : `its own release ${run.record.release}`;
  const ok = await confirmAction(
    `Re-run ${run.record.task}?`,
    `It starts a new run of ${run.record.task} with the same args, on ${where}.`,
    'Re-run',
  );
  if (!ok) return;
  const started = await post<{ runId: string }>(`/api/runs/${encodeURIComponent(run.record.runId)}/rerun`, { on });
  goAnnouncing(href(`/runs/${encodeURIComponent(started.runId)}`), `Started run ${started.runId}`);
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
  const copy = async (): Promise<void> => {
    await navigator.clipboard.writeText(run.cli).then(
      () => (status.textContent = 'Copied the CLI command.'),
      () => (status.textContent = 'Select the command below and copy it.'),
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
        { type: 'button', disabled: !run.rerun.can, onclick: () => void rerun(run, 'live').catch(fail) },
        'Re-run on the live release…',
      ),
      h(
        'button',
        { type: 'button', disabled: !run.rerun.can, onclick: () => void rerun(run, 'own').catch(fail) },
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
    h('label', { class: 'field wide' }, h('span', {}, 'CLI command'), h('input', { readonly: true, value: run.cli, id: 'cli-command' })),
    status,
  );
}

/** One run: what it was, how it ended, its whole log (followed live while it runs), and what can be done with it. */
async function runView(session: Session, runId: string): Promise<void> {
  const run = await get<RunDocument>(`/api/runs/${encodeURIComponent(runId)}`);
  const { record } = run;
  let statusBadge = badge(run.status);
  const exit = h('span', {}, record.exitCode === undefined ? 'running' : `${record.exitCode} (${run.meaning ?? ''})`);
  const ended = h('span', {}, record.endedAt === undefined ? 'in progress' : when(record.endedAt));
  const took = h('span', {}, duration(record.durationMs));
  const result = h('pre', { class: 'value', id: 'result' }, '–');
  const error = h('span', {}, record.error === undefined ? '–' : `${record.error.name}: ${record.error.message}`);
  const log = h('pre', { class: 'log', id: 'log', tabindex: '0', 'aria-label': 'Run log', 'aria-live': 'off' });
  const tail = h('p', { class: 'dim', id: 'tail-state' }, record.endedAt === undefined ? 'Following the log while the run goes on…' : '');
  show(
    h('h1', {}, 'Run ', h('code', {}, record.runId), ' ', statusBadge),
    h(
      'dl',
      { class: 'facts' },
      ...fact('Task', h('a', { href: href(`/tasks/${encodeURIComponent(record.task)}`) }, record.task)),
      ...fact('Args', h('code', {}, JSON.stringify(record.args))),
      ...fact('Release', h('a', { href: href('/runs', { release: record.release }) }, record.release), configOf(record)),
      ...fact('Source', record.source),
      ...fact('Caller', record.caller),
      ...fact('Claimed and started', when(record.startedAt)),
      ...fact('Ended', ended),
      ...fact('Took', took),
      ...fact('Exit code', exit),
      ...fact('Error', error),
      ...fact('Result', result),
      ...(record.interruptedAt === undefined ? [] : fact('Interrupted', when(record.interruptedAt))),
    ),
    actions(run, session),
    h('h2', {}, 'Log'),
    tail,
    log,
  );
  const follow = record.endedAt === undefined;
  const controller = new AbortController();
  await stream(
    `/api/runs/${encodeURIComponent(runId)}/log${follow ? '?follow=1' : ''}`,
    (value) => {
      const frame = value as LogFrame;
      if (frame.type === 'line') log.append(`${frame.text}\n`);
      else if (frame.type === 'notice') log.append(h('span', { class: 'notice' }, `! ${frame.text}\n`));
      else {
        // A run that had ended when the page opened keeps its record's meaning (lost, refused): the log's end knows only the code.
        exit.textContent = `${frame.result.exitCode} (${(follow ? undefined : run.meaning) ?? frame.meaning})`;
        result.textContent = frame.result.output === undefined ? '–' : JSON.stringify(frame.result.output, null, 2);
        if (frame.result.error !== undefined) error.textContent = `${frame.result.error.name}: ${frame.result.error.message}`;
        if (follow) {
          // The ledger has its end now: its status (lost and refused too), when it ended and how long it took.
          void get<RunDocument>(`/api/runs/${encodeURIComponent(runId)}`).then((done) => {
            const settled = badge(done.status);
            statusBadge.replaceWith(settled);
            statusBadge = settled;
            ended.textContent = when(done.record.endedAt);
            took.textContent = duration(done.record.durationMs);
            if (done.meaning !== undefined) exit.textContent = `${frame.result.exitCode} (${done.meaning})`;
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
        }
      }
      if (follow) log.scrollTop = log.scrollHeight;
    },
    controller.signal,
  ).catch((failure: Error) => {
    log.append(h('span', { class: 'notice' }, `! ${failure.message}\n`));
    // The page no longer follows anything: it says so, rather than "Following…" over a dead stream.
    if (follow && tail.textContent?.startsWith('Following') === true)
      tail.textContent = `Not following the log any more (${failure.message}): reload the page to see how the run stands.`;
  });
}

export { runView };
