import { HttpError } from './http-error.js';
import { configVersionLabel } from '../../core/config-version.js';
import { UsageError } from '../../core/errors.js';
import type { InvokePlan, Platform, ReleaseTarget, RunFrame } from '../../core/platform.js';
import { DEFAULT_ALIAS } from '../../core/platform.js';
import { isReleaseId } from '../../core/release.js';
import type { RunRecord } from '../../core/run.js';
import { exitCodeMeaning, exitLabel, interruptReachedAt, RUN_STATUSES, runMeaning, runStatus } from '../../core/run-status.js';
import { CONSOLE_TASK, RESERVED_TASK_PREFIX, type TaskCatalog, type TaskInfo } from '../../core/task-catalog.js';
import { runtimeOf } from '../../core/task-runtime.js';
import { holdsLeftOutArgs } from '../../runtime/task-args.js';
import { formatLogLine } from '../render/log-line.js';
import { cliEquivalent } from './cli-equivalent.js';
import { runLogFrames } from '../run-log-frames.js';
import type { RunFilter } from './run-filter.js';
import type { RunLauncher, StartedRun } from './run-launcher.js';
import { RunStopper, type Ability } from './run-stopper.js';
import { DEPLOY_CAUSE, ROLLBACK_CAUSE } from '../../core/rollback.js';
import { stageMoves, type StageMove } from './stage-moves.js';
import type { SecretMask } from '../secret-mask.js';
import { catalogTask, taskPageOf } from './task-page.js';
import { taskStats } from './task-stats.js';
import { terminalText } from './terminal-text.js';
import { ROLLBACK_TASK } from '../../core/rollback.js';

/** Runs on one page of the runs list. */
const PAGE_SIZE = 50;

/**
 * Where a re-run runs, as a request's `on` says: `own` (the run's own
 * release) or `live` (the default).
 *
 * @throws UsageError (64, a 400) for any other value.
 */
function rerunOn(on: unknown): 'own' | 'live' {
  if (on === undefined || on === 'live') return 'live';
  if (on === 'own') return 'own';
  throw new UsageError("on takes own (the run's own release) or live (the live one, the default).");
}

/** How many runs one bulk action takes at most. */
const BULK_LIMIT = 10_000;

/** How many of the newest runs the tasks and releases pages draw their numbers from. */
const STATS_WINDOW = 2_000;

/** How long the live release, once resolved, is taken as still live. */
const PLAN_TTL_MS = 5_000;

/** A run as one row of the runs list shows it. */
interface RunRow {
  readonly runId: string;
  readonly task: string;
  readonly status: string;
  readonly exitCode?: number;
  /** The exit as `runs` shows it: `130 stopped`, `130 lost`, `0`. */
  readonly exit?: string;
  readonly meaning?: string;
  readonly durationMs?: number;
  readonly startedAt: string;
  readonly caller: string;
  readonly source: string;
  readonly release: string;
  /** The config the run read: `config v5`, or its fingerprint where the record names no version. */
  readonly config?: string;
}

const plain = (_style: string, text: string): string => text;

function row(record: RunRecord): RunRow {
  return {
    runId: record.runId,
    task: record.task,
    status: runStatus(record),
    ...(record.exitCode === undefined
      ? {}
      : { exitCode: record.exitCode, exit: exitLabel(record), meaning: runMeaning({ ...record, exitCode: record.exitCode }) }),
    ...(record.durationMs === undefined ? {} : { durationMs: record.durationMs }),
    startedAt: record.startedAt,
    caller: record.caller,
    source: record.source,
    release: record.release,
    // As the CLI and the run's page name it: `config v5`; the fingerprint where the record has no version (an older record).
    ...(record.configVersion !== undefined
      ? { config: `config ${configVersionLabel(record.configVersion)}` }
      : record.configFingerprint === undefined
        ? {}
        : { config: record.configFingerprint }),
  };
}

/**
 * When each release went live, for the task chart's markers: every deploy
 * the stage's history holds (a roll-forward after a rollback too), else, where
 * it keeps none (AWS), when each release was created.
 */
function wentLive(
  releases: readonly { readonly release: string; readonly createdAt: string }[],
  moves: readonly StageMove[],
): { release: string; at: string }[] {
  const deploys = moves.filter((move) => move.cause === DEPLOY_CAUSE);
  if (deploys.length > 0) return deploys.map((move) => ({ release: move.release, at: move.at }));
  return releases.map((release) => ({ release: release.release, at: release.createdAt }));
}

/**
 * Refuses a request body with a field the call does not take, as the CLI
 * refuses an unknown flag: a field dropped without a word (a `runId`, a
 * misspelt `relase`) would start a run other than the one asked for.
 *
 * @throws UsageError (400) naming the first unknown field and the ones taken.
 */
function assertKnownFields(body: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(body).find((key) => !known.includes(key));
  if (unknown !== undefined)
    throw new UsageError(`The request has a field this call does not take: ${JSON.stringify(unknown)} (it takes ${known.join(', ')}).`);
}

/** How `cnf-admin ui` was started, and what it does before a run on the live pair. */
interface UiStart {
  /** The command that starts this `ui` again, as it was started (`uiCommand`). */
  readonly restartCommand: string;
  /** A command the page suggests or copies, written as the user ran cnf-admin (`npx cnf-admin …` under npx). */
  readonly asRun?: (command: string) => string;
  /** Before a run on the live pair: on the local stage, deploys the working tree where it differs, as `invoke` does (a bulk re-run names no task). */
  readonly beforeLiveRun?: (task: string | undefined) => Promise<void>;
  /** Whether a run on the live pair runs the checkout (the local stage with autoDeploy, no rollback holding it). */
  readonly checkoutRuns?: () => Promise<boolean>;
}

/**
 * What the page reads and does, answered from the same `Platform` calls the
 * CLI makes (`runs`, `runs show`, `logs --follow`, `tasks`, `releases`,
 * `invoke`, `stop`), with the stage's secure values masked out of every answer.
 */
class UiApi {
  #plan: { readonly at: number; readonly plan: Promise<InvokePlan> } | undefined;
  /* The bulk action under way, if one is: a second (a double click, another tab) is refused until it ends. */
  #bulk: { readonly action: string; readonly runs: number; readonly since: string } | undefined;
  readonly #stopper: RunStopper;
  readonly #asRun: (command: string) => string;

  constructor(
    private readonly platform: Platform,
    private readonly stage: string,
    private readonly launcher: RunLauncher,
    private readonly secrets: SecretMask,
    private readonly started: UiStart,
  ) {
    this.#stopper = new RunStopper(platform, launcher);
    this.#asRun = started.asRun ?? ((command) => command);
  }

  /** An answer the server makes itself (an error that quotes the request), masked as every other answer is. */
  masked<T>(answer: T): Promise<T> {
    return this.secrets.mask(answer);
  }

  /**
   * The session: stage, platform, the live release, the names the filters
   * take, the command that starts `ui` again, and whether a run on the live
   * release runs the checkout (deployed first where it differs).
   */
  async session(): Promise<unknown> {
    const live = await this.#live().catch(() => undefined);
    const catalog = live === undefined ? undefined : await this.platform.catalog(live).catch(() => undefined);
    return {
      stage: this.stage,
      platform: this.platform.kind,
      liveRelease: live?.release ?? null,
      statuses: RUN_STATUSES,
      taskNames: catalog === undefined ? [] : [...catalog.tasks, ...catalog.scripts].map((task) => task.name),
      restart: this.#asRun(this.started.restartCommand),
      checkoutRuns: (await this.started.checkoutRuns?.()) ?? false,
    };
  }

  /**
   * One page of the runs a filter selects, newest first. `at` (ISO 8601)
   * holds the list where it was when its first page was read: only runs
   * started before it count, so that runs started since shift no page and
   * none shows twice. The answer names the `at` for the next pages, and,
   * for a page past the end of a list that holds runs, the last page that
   * holds some (`lastPage`, from 0): an empty page is "no runs match" only
   * where none does.
   */
  async runs(filter: RunFilter, page: number, at?: string): Promise<unknown> {
    const held = at === undefined || (filter.to !== undefined && filter.to < at) ? filter : { ...filter, to: at };
    const [records, moves] = await Promise.all([this.#select(held, (page + 1) * PAGE_SIZE + 1), this.#moves()]);
    const rows = records.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map(row);
    const hasMore = records.length > (page + 1) * PAGE_SIZE;
    // The moves between this page's runs: after the previous page's last run, down to this page's last (or for ever on the last page).
    const newer = page === 0 ? undefined : records[page * PAGE_SIZE - 1]?.startedAt;
    const older = hasMore ? rows.at(-1)?.startedAt : undefined;
    // And within the filter's From and To: a list of an hour shows the moves of that hour, not those since.
    const inSpan = moves.filter(
      (move) =>
        (newer === undefined || move.at < newer) &&
        (older === undefined || move.at >= older) &&
        (filter.from === undefined || move.at >= filter.from) &&
        (filter.to === undefined || move.at <= filter.to),
    );
    // Just after the newest run listed: the next pages start from the list as it is now.
    const newest = records[0]?.startedAt;
    const next = at ?? (newest === undefined ? undefined : new Date(Date.parse(newest) + 1).toISOString());
    return this.secrets.mask({
      runs: rows,
      page,
      pageSize: PAGE_SIZE,
      hasMore,
      ...(rows.length === 0 && records.length > 0 ? { lastPage: Math.floor((records.length - 1) / PAGE_SIZE) } : {}),
      moves: inSpan.reverse(),
      ...(next === undefined ? {} : { at: next }),
    });
  }

  /** How many runs a filter selects (up to the bulk limit), and their ids: what a bulk action confirms. */
  async selection(filter: RunFilter): Promise<unknown> {
    const records = await this.#select(filter, BULK_LIMIT + 1);
    const runIds = records.slice(0, BULK_LIMIT).map((record) => record.runId);
    return { count: runIds.length, runIds, ...(records.length > BULK_LIMIT ? { more: true } : {}) };
  }

  /**
   * One run: its record, status, meaning of its exit code, when an interrupt
   * reached it (as `runs show` says it: none for a lost run no interrupt
   * reached), whether its task has a page to link to, what can be done with
   * it, the CLI command, and the command that prints its whole log.
   */
  async run(runId: string): Promise<unknown> {
    const record = await this.#record(runId);
    const live = await this.#live().catch(() => undefined);
    const catalog = live === undefined ? undefined : await this.platform.catalog(live).catch(() => undefined);
    return this.secrets.mask({
      record,
      status: runStatus(record),
      ...(record.exitCode === undefined ? {} : { meaning: runMeaning({ ...record, exitCode: record.exitCode }) }),
      interruptedAt: interruptReachedAt(record) ?? null,
      taskPage: taskPageOf(record, live === undefined || catalog === undefined ? undefined : { release: live.release, catalog }),
      rerun: await this.#rerunOffer(record),
      stop: this.#stopper.ability(record, catalog),
      cli: this.#asRun(cliEquivalent({ task: record.task, args: record.args, stage: this.stage, release: record.release })),
      cliLive: this.#asRun(cliEquivalent({ task: record.task, args: record.args, stage: this.stage })),
      logs: this.#asRun(`cnf-admin logs ${record.runId} --stage ${this.stage}`),
    });
  }

  /**
   * The log of a run as `cnf-admin logs` shows it, line by line (as a
   * terminal shows each: see {@link terminalText}), then its result; with
   * `follow`, until the run ends (`logs --follow`).
   */
  async *log(runId: string, follow: boolean, signal: AbortSignal): AsyncGenerator<unknown> {
    // No such run is 404, as its page is: not the 400 of a bad request.
    await this.#record(runId);
    // A rollback's run writes no log: the page says so, as runs show does, rather than calling its log gone.
    const frames: AsyncIterable<RunFrame> = runLogFrames(this.platform, this.stage, runId, { follow, signal }, true);
    for await (const frame of frames) {
      if (frame.type === 'log') {
        const shown = formatLogLine(frame.line, plain, { record: frame.record });
        // As a terminal shows it, less its colours, and with nothing that can reorder the line (terminalText); masked
        // before (a carriage return may write over part of a secret, leaving the rest), and after.
        if (shown !== undefined) {
          const masked = await this.secrets.mask(shown.replace(/[\r\n]+$/, ''));
          yield await this.secrets.mask({ type: 'line', text: terminalText(masked) });
        }
      } else if (frame.type === 'notice') yield { type: 'notice', text: frame.message };
      else yield await this.secrets.mask({ type: 'result', result: frame.result, meaning: exitCodeMeaning(frame.result.exitCode) });
    }
  }

  /** Starts a run of a task with args from the form, on the live release or a retained one. */
  async start(body: Record<string, unknown>): Promise<StartedRun> {
    assertKnownFields(body, ['task', 'args', 'release']);
    const { task, args, release } = body;
    if (typeof task !== 'string' || task === '') throw new UsageError('Name the task to run ("task").');
    if (task === CONSOLE_TASK) throw new UsageError('Console evaluations run in cnf-admin console, not from the page.');
    // cnf-admin's own tasks (cnf:ping, cnf:describe, ...) record no run: the page starts the app's tasks and scripts.
    if (task.startsWith(RESERVED_TASK_PREFIX)) throw new UsageError(`${task} is cnf-admin's own task, not one the page starts.`);
    if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args)))
      throw new UsageError('The args must be a JSON object.');
    return this.#start(task, (args ?? {}) as Record<string, unknown>, this.#target(release));
  }

  /** Re-runs a run: the same task and args, as a new run, on the live release or on the run's own. */
  rerun(runId: string, body: Record<string, unknown>): Promise<StartedRun> {
    return this.#rerun(runId, body, false);
  }

  async #rerun(runId: string, body: Record<string, unknown>, deployed: boolean): Promise<StartedRun> {
    assertKnownFields(body, ['on']);
    const record = await this.#record(runId);
    const ability = this.#rerunAbility(record);
    if (!ability.can) throw new UsageError(ability.why ?? 'This run cannot be re-run.');
    return this.#start(record.task, record.args, this.#target(rerunOn(body.on) === 'own' ? record.release : undefined), deployed);
  }

  /**
   * Starts a run; one on the live pair deploys the working tree first where
   * the checkout is what runs, as `invoke` does (`deployed`: a bulk re-run
   * did, once, for all of its runs).
   */
  async #start(task: string, args: Readonly<Record<string, unknown>>, target: ReleaseTarget, deployed = false): Promise<StartedRun> {
    if (target.release === undefined && !deployed) await this.#deployCheckout(task);
    return this.launcher.start({ task, args, target });
  }

  /** Deploys the working tree where it differs and the checkout is what runs (`beforeLiveRun`); a task it lacks moves nothing. */
  async #deployCheckout(task: string | undefined): Promise<void> {
    if (this.started.beforeLiveRun === undefined) return;
    await this.started.beforeLiveRun(task);
    // The live pair may have moved: the next page reads it afresh.
    this.#plan = undefined;
  }

  /**
   * Whether the run can be re-run, and where it can, the config version a
   * re-run on its own release reads (that release's pinned one; null where
   * none is known or the release cannot be resolved).
   */
  async #rerunOffer(record: RunRecord): Promise<Ability & { readonly ownConfig?: number | null }> {
    const ability = this.#rerunAbility(record);
    // Asked of the local stage only: on AWS, resolving a release by its id is several calls, for every run page shown.
    if (!ability.can || this.platform.kind !== 'local') return ability;
    const ownConfig = await this.platform.resolve({ release: record.release }).then(
      // A release never live has no pinned config: it reads the live one, which the page then says.
      (plan) => (plan.configSource === 'pinned' ? (plan.configVersion ?? null) : null),
      () => null,
    );
    return { ...ability, ownConfig };
  }

  /** Stops a run that can be stopped (see {@link RunStopper}). */
  async stop(runId: string): Promise<unknown> {
    const record = await this.#record(runId);
    return { runId, stopping: await this.#stopper.stop(record, await this.#liveCatalog().catch(() => undefined)) };
  }

  /**
   * A bulk re-run or stop of the given runs (the ones a selection counted);
   * one outcome per run. One bulk action at a time, from any page or tab.
   *
   * @throws HttpError (409) while another bulk action is under way.
   */
  async bulk(body: Record<string, unknown>): Promise<unknown> {
    assertKnownFields(body, ['action', 'runIds', 'on']);
    const { action, runIds, on } = body;
    if (action !== 'rerun' && action !== 'stop') throw new UsageError('action takes rerun or stop.');
    if (!Array.isArray(runIds) || runIds.some((id) => typeof id !== 'string') || runIds.length > BULK_LIMIT)
      throw new UsageError(`runIds takes a list of at most ${BULK_LIMIT} run ids.`);
    const target = action === 'rerun' ? rerunOn(on) : 'live';
    const under = this.#bulk;
    if (under !== undefined)
      throw new HttpError(
        409,
        `A bulk ${under.action === 'rerun' ? 're-run' : 'stop'} of ${under.runs} run(s) is under way (since ${under.since}): one bulk action at a time. Try again once it has ended.`,
      );
    this.#bulk = { action, runs: runIds.length, since: new Date().toISOString() };
    try {
      // A run named twice is acted on once: no run is re-run twice.
      return await this.#bulkAct(action, [...new Set(runIds as string[])], target);
    } finally {
      this.#bulk = undefined;
    }
  }

  /** Acts on each run in turn; a re-run on the live release deploys the checkout once, first. */
  async #bulkAct(action: 'rerun' | 'stop', runIds: readonly string[], on: 'own' | 'live'): Promise<unknown> {
    // A bulk re-run on the live release deploys the working tree once, before its first run: not once a run.
    const deployed = action === 'rerun' && on === 'live';
    if (deployed) await this.#deployCheckout(undefined);
    const outcomes = [];
    for (const runId of runIds) {
      try {
        const done = action === 'rerun' ? await this.#rerun(runId, { on }, deployed) : await this.stop(runId);
        outcomes.push({ runId, ok: true, ...(action === 'rerun' ? { newRunId: (done as StartedRun).runId } : {}) });
      } catch (error) {
        outcomes.push({ runId, ok: false, error: (error as Error).message });
      }
    }
    return this.secrets.mask({ action, outcomes, done: outcomes.filter((outcome) => outcome.ok).length });
  }

  /** The live release's tasks, each with its last run, success rate and p50/p95 duration. */
  async tasks(): Promise<unknown> {
    const [catalog, records] = await Promise.all([
      this.#liveCatalog(),
      this.platform.runs({ excludeTasks: [CONSOLE_TASK], limit: STATS_WINDOW }),
    ]);
    return this.secrets.mask({
      window: STATS_WINDOW,
      tasks: [...catalog.tasks, ...catalog.scripts].map((task) => ({
        ...this.#taskInfo(task),
        stats: taskStats(records.filter((record) => record.task === task.name)),
      })),
    });
  }

  /** One task of the live release (the one its page, `/tasks/<name>`, shows): its schema, stats, and its runs over time with the releases that went live. */
  async task(name: string): Promise<unknown> {
    const task = catalogTask(await this.#liveCatalog(), name);
    if (task === undefined) throw new HttpError(404, `The live release has no task ${JSON.stringify(name)}.`);
    const [records, status, moves] = await Promise.all([
      this.platform.runs({ task: name, limit: STATS_WINDOW }),
      this.platform.status(),
      this.#moves(),
    ]);
    return this.secrets.mask({
      ...this.#taskInfo(task),
      stats: taskStats(records),
      points: records.map((record) => ({
        runId: record.runId,
        startedAt: record.startedAt,
        durationMs: record.durationMs ?? null,
        status: runStatus(record),
        release: record.release,
      })),
      releases: wentLive(status.releases, moves),
      rollbacks: moves.filter((move) => move.cause === ROLLBACK_CAUSE),
    });
  }

  /**
   * The config a run on `release` (its id) reads, for the start form's
   * question to name: its pinned version, or, for a release never live
   * here, the live one.
   *
   * @throws HttpError (404) for an id the stage does not keep
   */
  async releasePlan(release: string): Promise<unknown> {
    const kept = (await this.platform.status()).releases.some((candidate) => candidate.release === release);
    if (!kept) throw new HttpError(404, `Stage ${this.stage} keeps no release ${release}: the Releases page lists those it keeps.`);
    const plan = await this.platform.resolve({ release });
    return { release: plan.release, configVersion: plan.configVersion ?? null, configSource: plan.configSource };
  }

  /** What went live and when, with the runs of each release. */
  async releases(): Promise<unknown> {
    const [status, records, moves] = await Promise.all([
      this.platform.status(),
      this.platform.runs({ excludeTasks: [CONSOLE_TASK], limit: STATS_WINDOW }),
      this.#moves(),
    ]);
    const live = status.aliases.find((pair) => pair.name === DEFAULT_ALIAS)?.web.release;
    return this.secrets.mask({
      window: STATS_WINDOW,
      aliases: status.aliases.map((pair) => ({ name: pair.name, release: pair.web.release })),
      releases: [...status.releases]
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
        .map((release) => {
          const runs = records.filter((record) => record.release === release.release);
          const deployed = moves.findLast((move) => move.release === release.release && move.cause === DEPLOY_CAUSE);
          return {
            ...release,
            ...(deployed?.by === undefined ? {} : { deployedBy: deployed.by, deployedAt: deployed.at }),
            live: release.release === live,
            runs: runs.length,
            failed: runs.filter((record) => runStatus(record) === 'failed').length,
            lastRunAt: runs[0]?.startedAt ?? null,
          };
        }),
      moves: [...moves].reverse(),
      notes: status.notes.map(this.#asRun),
    });
  }

  /** The newest `wanted` runs the filter selects, every part of it answered by the ledger query, over every run. */
  async #select(filter: RunFilter, wanted: number): Promise<RunRecord[]> {
    const records = await this.platform.runs({
      ...(filter.task === undefined ? {} : { task: filter.task }),
      ...(filter.all === true || filter.task !== undefined ? {} : { excludeTasks: [CONSOLE_TASK] }),
      ...(filter.status === undefined ? {} : { status: filter.status }),
      ...(filter.release === undefined ? {} : { release: filter.release }),
      ...(filter.caller === undefined ? {} : { caller: filter.caller }),
      ...(filter.source === undefined ? {} : { source: filter.source }),
      ...(filter.from === undefined ? {} : { since: filter.from }),
      ...(filter.to === undefined ? {} : { until: filter.to }),
      limit: wanted,
    });
    // The ledger lists a lost run with the running ones until it is settled: the settled status decides.
    return filter.status === undefined ? records : records.filter((record) => runStatus(record) === filter.status);
  }

  /** The live pair's moves, oldest first; none where they cannot be read (the page shows the rest all the same). */
  async #moves(): Promise<StageMove[]> {
    return stageMoves(this.platform).catch(() => []);
  }

  async #record(runId: string): Promise<RunRecord> {
    const record = await this.platform.run(runId);
    if (record === undefined) throw new HttpError(404, `No run ${JSON.stringify(runId)} on stage ${this.stage}.`);
    return record;
  }

  #rerunAbility(record: RunRecord): Ability {
    if (record.task === CONSOLE_TASK) return { can: false, why: 'Console evaluations are never re-run.' };
    // A rollback is the CLI's own run, no task of a release: the page runs the app's tasks only.
    if (record.task === ROLLBACK_TASK)
      return { can: false, why: this.#asRun('A rollback is not re-run from the page: roll back with cnf-admin rollback.') };
    if (record.task.startsWith(RESERVED_TASK_PREFIX))
      return { can: false, why: `${record.task} is cnf-admin's own task, not one the page starts.` };
    if (holdsLeftOutArgs(record.args))
      return {
        can: false,
        why: 'Its args were not recorded whole (a sensitive value redacted, or text too long to keep): start the task from its form with the values instead.',
      };
    return { can: true };
  }

  #taskInfo(task: TaskInfo): Record<string, unknown> {
    return {
      name: task.name,
      description: task.description,
      args: task.args,
      lock: task.lock,
      sensitiveArgs: task.sensitiveArgs ?? [],
      runtime: runtimeOf(task),
      ...(task.timeoutSeconds === undefined ? {} : { timeoutSeconds: task.timeoutSeconds }),
    };
  }

  #target(release: unknown): { alias: string } | { release: string } {
    if (release === undefined || release === null || release === 'live') return { alias: DEFAULT_ALIAS };
    if (typeof release !== 'string' || !isReleaseId(release))
      throw new UsageError(`release takes "live" or a release id (r- and 12 hex digits), got: ${JSON.stringify(release)}`);
    return { release };
  }

  #live(): Promise<InvokePlan> {
    // Every page asks for the live release; a deploy moves it seldom, and resolving it hashes the working tree locally.
    if (this.#plan === undefined || Date.now() - this.#plan.at > PLAN_TTL_MS) {
      const plan = this.platform.resolve({ alias: DEFAULT_ALIAS });
      this.#plan = { at: Date.now(), plan };
      plan.catch(() => (this.#plan = undefined));
    }
    return this.#plan.plan;
  }

  async #liveCatalog(): Promise<TaskCatalog> {
    return this.platform.catalog(await this.#live());
  }
}

export { BULK_LIMIT, PAGE_SIZE, UiApi };
export type { RunRow, UiStart };
