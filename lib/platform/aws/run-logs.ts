import { isCnfError, UsageError, withoutFullStop } from '../../core/errors.js';
import { unreadableLog } from '../../core/unreadable-log.js';
import type { RunFrame } from '../../core/platform.js';
import type { Progress } from '../../core/progress.js';
import type { RunResult } from '../../core/run.js';
import { pause } from '../../core/abortable.js';
import { isAccessDenied, isNotFound } from './aws-errors.js';
import { failedRunResult } from './function-outcome.js';
import { anyOf, contentKey, filterEvents, type LogGroupRef, type LogQuery } from './log-events.js';
import { endedNotStarted, isRunStartedLine, runEndedOf } from '../../core/run-log.js';
import {
  LineTally,
  isOtherInvocationLine,
  isOtherRunLine,
  isRunLine,
  lineOf,
  logFrame,
  platformReportOf,
  runIdTime,
  runKeysOf,
  type LogEvent,
} from './log-lines.js';
import { LiveTailUnavailableError, startLiveTail } from './live-tail.js';
import { CONTAINER_LOG_STREAM_PREFIX } from '../../core/container-run.js';

/** Where a stage's run logs are, and how patiently to read them. */
interface RunLogSource extends LogGroupRef {
  /** The log group's ARN, for Live Tail. */
  logGroupArn(): Promise<string>;
  /** Between two reads of a log that is still growing. */
  readonly pollMs: number;
  /** How long to wait after a run for CloudWatch to deliver its last events. */
  readonly settleMs: number;
  /** Told while the rest of a run's log is waited for. @default - nobody */
  readonly progress?: Progress;
}

/* Clocks differ: look a little before the run's start. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/* The pattern of Lambda's end-of-invocation report, text and JSON log formats. */
const REPORT_TERMS = ['REPORT RequestId', 'platform.report'] as const;

/** An attached run whose live output has been shown. */
interface ShownRun {
  readonly runId: string;
  /** Lambda's request id: its platform lines (START, REPORT) carry it, and console lines too. */
  readonly requestId: string | undefined;
  /** Epoch milliseconds, when the invoke was sent. */
  readonly startedAt: number;
  /** The lines the live stream showed. */
  readonly shown: LineTally;
  /** The last 4 KB of the log, as Lambda returned it, for when CloudWatch cannot be read. */
  readonly tail: readonly string[];
}

/**
 * After an attached run: the rest of its CloudWatch log, that is every line
 * of the run (by run id) and of its invocation (by request id) that the live
 * stream did not show. Late events are waited for, for a bounded time: until
 * each shown line and Lambda's end report have arrived, or `settleMs`.
 */
async function* completeRunLog(source: RunLogSource, run: ShownRun, signal?: AbortSignal): AsyncGenerator<RunFrame> {
  const wait = source.progress?.start('Waiting for CloudWatch to deliver the rest of the log', { quiet: true });
  try {
    yield* readRestOfLog(source, run, signal);
  } finally {
    // A log that stays incomplete says so in a notice of its own.
    wait?.stop('ok');
  }
}

async function* readRestOfLog(source: RunLogSource, run: ShownRun, signal?: AbortSignal): AsyncGenerator<RunFrame> {
  const filterPattern = run.requestId === undefined ? anyOf(run.runId) : anyOf(run.runId, run.requestId);
  const seen = new Set<string>();
  const deadline = Date.now() + source.settleMs;
  let startTime = run.startedAt - CLOCK_SKEW_MS;
  let reported = false;
  let ended = false;
  let readsAfterReport = 0;
  for (;;) {
    let events: LogEvent[];
    try {
      events = await filterEvents(source, { filterPattern, startTime });
    } catch (error) {
      if (!isCnfError(error)) throw error;
      // A streamed invoke may return no tail at all, and the live output may have shown all of it: then no lines are promised.
      const unshown = run.tail.filter((line) => !run.shown.take(line));
      const rest =
        unshown.length === 0
          ? 'Lambda returned no more of it: the lines above are all of the run that can be shown.'
          : 'Its last lines, as Lambda returned them:';
      yield { type: 'notice', message: `Cannot read the run's CloudWatch log: ${error.message} ${rest}` };
      for (const line of unshown) yield logFrame(line);
      return;
    }
    for (const event of events) {
      const id = event.eventId ?? contentKey(event);
      if (seen.has(id)) continue;
      seen.add(id);
      startTime = Math.max(startTime, event.timestamp);
      const line = lineOf(event);
      if (isOtherRunLine(line, run.runId)) continue;
      // A retry of the run id, sent beside this invoke, is another invocation: what it said is its own, not this run's.
      if (run.requestId !== undefined && isOtherInvocationLine(line, run.requestId)) continue;
      if (run.requestId !== undefined && platformReportOf(line)?.requestId === run.requestId) reported = true;
      if (runEndedOf(line, run.runId) !== undefined) ended = true;
      if (!run.shown.take(line)) yield logFrame(line);
    }
    // Lambda's report is the invocation's last line: once it is in, so is the rest, give or take one more read.
    if (reported) readsAfterReport += 1;
    if ((run.shown.pending === 0 || readsAfterReport > 1) && (run.requestId === undefined ? ended : reported)) return;
    if (Date.now() >= deadline) {
      yield {
        type: 'notice',
        message: `CloudWatch has not delivered all of run ${run.runId}'s log yet (it can lag); see the whole log later with: cnf-admin logs ${run.runId} --stage ${source.stage}`,
      };
      return;
    }
    if (!(await pause(source.pollMs, signal))) return;
  }
}

/** Options of {@link runLog}. */
interface RunLogOptions {
  /** Keep reading until the run ends. */
  readonly follow: boolean;
  /** Ctrl-C: stop following (the run goes on). */
  readonly signal?: AbortSignal;
  /** When the run cannot still be going (epoch milliseconds): a follow stops then, and a read after it suggests no follow. */
  readonly deadline?: number;
  /** Lines already shown, left out. */
  readonly shown?: LineTally;
  /** When the run started, if known better than its id tells. */
  readonly startedAt?: number;
  /** No ledger record names the run: a follow that reaches its deadline without a line of it finds no such run. */
  readonly unknown?: boolean;
  /**
   * A container run: no Lambda invocation is its own, so no REPORT ends it
   * (the one after the gate's line that started its task is the gate's).
   */
  readonly container?: boolean;
  /**
   * The ledger records the run as ended before its task started (not
   * started): the `Run ended` of such an attempt ends the reading, where it
   * otherwise waits for a retry's.
   */
  readonly endedNotStarted?: boolean;
}

/**
 * The log of a run by its run id, read back from CloudWatch; with `follow`,
 * read on (Live Tail where available, `FilterLogEvents` polling otherwise)
 * until the run ends. The last frame is the run's result: from its
 * `Run ended` line, or, for a Lambda run, from Lambda's report when the
 * function itself failed.
 *
 * @throws UsageError when the log group holds nothing of the run and `follow` is off, or
 * when a follow of a run that no record names reaches its deadline without a line of it.
 */
async function* runLog(source: RunLogSource, runId: string, options: RunLogOptions): AsyncGenerator<RunFrame> {
  yield* new RunLogReader(source, runId, options).read();
}

/** The state of reading one run's log: what was seen, where the run runs, how it ended. */
class RunLogReader {
  readonly #seen = new Set<string>();
  readonly #shown: LineTally;
  #startTime: number | undefined;
  /** The run's stream and its first event there: Lambda runs one invocation at a time per stream. */
  #home: { readonly stream: string; readonly since: number } | undefined;
  #result: RunResult | undefined;
  /** The end of an attempt that never started its task: the run's, unless a retry's end follows. */
  #notStartedEnd: RunResult | undefined;
  #lines = 0;
  /** The run's task and release, as its structured lines carry them. */
  #keys = { task: '', release: '' };
  /**
   * The log streams of the run's container tasks (`task/<container>/<task id>`), as its lines there name them. The
   * awslogs driver sends each line the task writes to its stream, a plain `console.log` too, which carries no run id:
   * a stream of the run's task is the run's, whole.
   */
  readonly #taskStreams = new Set<string>();

  constructor(
    private readonly source: RunLogSource,
    private readonly runId: string,
    private readonly options: RunLogOptions,
  ) {
    this.#shown = options.shown ?? new LineTally();
    const started = options.startedAt ?? runIdTime(runId);
    this.#startTime = started === undefined ? undefined : started - CLOCK_SKEW_MS;
  }

  async *read(): AsyncGenerator<RunFrame> {
    // The Live Tail session ends with the reading, whether the run ended or the user stopped following.
    const session = new AbortController();
    const stop = (): void => session.abort();
    this.options.signal?.addEventListener('abort', stop, { once: true });
    // Live Tail passes on no empty batches: at the deadline its session ends, or a silent log would be followed for good.
    const { deadline } = this.options;
    const timer = deadline === undefined ? undefined : setTimeout(stop, Math.max(0, deadline - Date.now()));
    try {
      // Live Tail's filter finds the run's lines by run id: a container task's plain output, which has none, is read by polling its stream.
      let tail = this.options.follow && this.options.container !== true ? await this.#tryLiveTail(session.signal) : undefined;
      if (tail instanceof LiveTailUnavailableError) {
        // Polling does the same job; a missing permission is worth a word to the operator.
        if (isAccessDenied(tail.cause)) yield { type: 'notice', message: `${tail.message}; following the log by polling instead.` };
        tail = undefined;
      }
      yield* this.#catchUp();
      if (this.#result === undefined && !this.options.follow) this.#result = this.#notStartedEnd;
      if (this.#result === undefined && !this.options.follow) {
        if (this.#lines === 0) {
          // A run past its function's timeout has written all it ever will: waiting would find nothing more.
          const over = this.options.deadline !== undefined && Date.now() >= this.options.deadline;
          throw new UsageError(`No log of run ${JSON.stringify(this.runId)} in ${this.source.logGroup} (stage ${this.source.stage}).`, {
            hint: over
              ? `A run that old cannot still be going; check its id with: cnf-admin runs --stage ${this.source.stage}`
              : `A run's first lines take a few seconds to reach CloudWatch. Wait for it with: cnf-admin logs ${this.runId} --stage ${this.source.stage} --follow`,
          });
        }
        yield { type: 'notice', message: `Run ${this.runId} is still in progress. Follow it with: ${this.#command(' --follow')}` };
        return;
      }
      if (this.#result === undefined && tail !== undefined) yield* this.#follow(tail);
      while (this.#result === undefined && this.#goOn()) {
        if (!(await pause(this.source.pollMs, this.options.signal))) return;
        yield* this.#catchUp();
      }
      // A follow that ran out with only an attempt that never started: that attempt's end is the run's.
      this.#result ??= this.options.signal?.aborted === true ? undefined : this.#notStartedEnd;
      if (this.#result !== undefined) yield { type: 'result', result: this.#result };
      else if (this.options.signal?.aborted !== true && this.options.unknown === true && this.#lines === 0) {
        throw new UsageError(
          `No run ${JSON.stringify(this.runId)} on stage ${this.source.stage}: no record of it, and no log in ${this.source.logGroup}.`,
          {
            hint: `See the stage's runs with: cnf-admin runs --stage ${this.source.stage}`,
          },
        );
      } else if (this.options.signal?.aborted !== true) {
        yield {
          type: 'notice',
          message: `Stopped following run ${this.runId}: it cannot still be running. See its log with: ${this.#command('')}`,
        };
      }
    } finally {
      this.options.signal?.removeEventListener('abort', stop);
      clearTimeout(timer);
      session.abort();
    }
  }

  #command(flags: string): string {
    return `cnf-admin logs ${this.runId} --stage ${this.source.stage}${flags}`;
  }

  #goOn(): boolean {
    return this.options.signal?.aborted !== true && (this.options.deadline === undefined || Date.now() < this.options.deadline);
  }

  async #tryLiveTail(signal: AbortSignal): Promise<AsyncIterable<LogEvent[]> | LiveTailUnavailableError> {
    try {
      const session = await startLiveTail({
        logs: this.source.logs,
        logGroupArn: await this.source.logGroupArn(),
        filterPattern: this.options.container === true ? anyOf(this.runId) : anyOf(this.runId, ...REPORT_TERMS),
        stage: this.source.stage,
        signal,
      });
      return session.batches;
    } catch (error) {
      if (error instanceof LiveTailUnavailableError) return error;
      throw error;
    }
  }

  /**
   * Reads what CloudWatch holds so far: the run's lines, with every line of its container tasks' streams (a task's
   * plain output carries no run id), then, if it has not ended, Lambda's report in its stream.
   */
  async *#catchUp(): AsyncGenerator<RunFrame> {
    const own = (await this.#query({ filterPattern: anyOf(this.runId), ...this.#since() })).filter(
      (event) => !isOtherRunLine(lineOf(event), this.runId),
    );
    const known = [...this.#taskStreams];
    // A task stream is the run's when a structured line of the run is in it: a plain line that merely holds the run id may be another run's.
    const found = [
      ...new Set(
        own.flatMap((event) => {
          const name = event.logStreamName;
          return name?.startsWith(`${CONTAINER_LOG_STREAM_PREFIX}/`) === true &&
            !this.#taskStreams.has(name) &&
            isRunLine(lineOf(event), this.runId)
            ? [name]
            : [];
        }),
      ),
    ];
    for (const name of found) this.#taskStreams.add(name);
    if (this.#taskStreams.size === 0) yield* this.#take(own);
    else {
      // Each task stream as it is, in its own order; the other lines of the run (the admin function's) around them, by time.
      // A stream found now is read from its start: the task may have written to it before the last line read elsewhere.
      const whole = [
        ...(found.length === 0 ? [] : await this.#query({ logStreamNames: found })),
        ...(known.length === 0 ? [] : await this.#query({ logStreamNames: known, ...this.#since() })),
      ];
      const others = own.filter((event) => !this.#inTaskStream(event));
      yield* this.#take([...others, ...whole].sort((a, b) => a.timestamp - b.timestamp));
    }
    if (this.#result === undefined && this.#home !== undefined && this.options.container !== true) {
      const reports = await this.#query({
        filterPattern: anyOf(...REPORT_TERMS),
        startTime: this.#home.since,
        logStreamNames: [this.#home.stream],
      });
      yield* this.#take(reports);
    }
  }

  /**
   * The events of one query. A query AWS would not answer is a log that
   * could not be read, never an empty one: its error says so first, its exit
   * code kept (75 throttled or failing, 77 denied, 69 unreachable), and is
   * marked so for `runs show`. A log group that is not there holds no log:
   * its error (69) is not marked, and `runs show` says so in a line.
   */
  async #query(query: LogQuery): Promise<LogEvent[]> {
    try {
      return await filterEvents(this.source, query);
    } catch (error) {
      if (!isCnfError(error) || isNotFound(error.cause)) throw error;
      throw unreadableLog(error, this.runId);
    }
  }

  async *#follow(batches: AsyncIterable<LogEvent[]>): AsyncGenerator<RunFrame> {
    const iterator = batches[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<LogEvent[]>;
      try {
        next = await iterator.next();
      } catch (error) {
        yield {
          type: 'notice',
          message: `Live Tail broke off (${withoutFullStop((error as Error).message)}); reading the log by polling instead.`,
        };
        return;
      }
      if (next.done === true) return;
      yield* this.#take(next.value);
      if (this.#result !== undefined || !this.#goOn()) return;
    }
  }

  /** Whether `event` is in a stream of one of the run's container tasks, all of whose lines are the run's. */
  #inTaskStream(event: LogEvent): boolean {
    return event.logStreamName !== undefined && this.#taskStreams.has(event.logStreamName);
  }

  #since(): { startTime?: number } {
    return this.#startTime === undefined ? {} : { startTime: this.#startTime };
  }

  *#take(events: readonly LogEvent[]): Generator<RunFrame> {
    for (const event of events) {
      // After the run's end, the plain lines of its task's streams are the run's still (a task's stream holds that run
      // alone): its stdout and stderr reach the stream through two pipes, so a line written before the end may be
      // stamped after it. The run's own structured lines after its end (the container's run result) are not shown.
      const afterEnd = this.#result !== undefined;
      if (afterEnd && (!this.#inTaskStream(event) || event.message.includes(this.runId))) continue;
      // Queries give event ids; Live Tail does not, so its events are recognised by what they hold.
      const content = contentKey(event);
      if (this.#seen.has(event.eventId ?? content)) continue;
      if (event.eventId !== undefined) this.#seen.add(event.eventId);
      this.#seen.add(content);
      const line = lineOf(event);
      if (isOtherRunLine(line, this.runId)) continue;
      // The end is told: a late line is shown, and changes nothing of it.
      if (!afterEnd && !this.#learn(event, line)) continue;
      this.#lines += 1;
      this.#startTime = Math.max(this.#startTime ?? 0, event.timestamp);
      if (!this.#shown.take(line)) yield logFrame(line);
    }
  }

  /**
   * What a line of the run, before its end, tells of it: its home stream, its
   * task and release, its end (a Lambda report's too).
   *
   * @returns false for a Lambda report that is not this run's, which is not shown
   */
  #learn(event: LogEvent, line: string): boolean {
    const report = platformReportOf(line);
    if (report !== undefined) {
      // Another invocation's report, one from before this run began in its stream, or a container run's gate's.
      if (this.options.container === true || this.#home === undefined) return false;
      if (event.logStreamName !== this.#home.stream || event.timestamp < this.#home.since) return false;
      this.#result = failedRunResult(
        { runId: this.runId, ...this.#keys, startedAt: this.#home.since },
        { errorType: report.errorType ?? `Status: ${report.status}`, message: report.status === 'timeout' ? 'Task timed out' : '' },
      );
      return true;
    }
    this.#home ??= event.logStreamName === undefined ? undefined : { stream: event.logStreamName, since: event.timestamp };
    this.#keys = this.#keys.task === '' ? (runKeysOf(line) ?? this.#keys) : this.#keys;
    const ended = runEndedOf(line, this.runId);
    if (ended !== undefined && endedNotStarted(line) && this.options.endedNotStarted !== true) {
      // A retry may run it: its own lines, in a stream of their own, and its own REPORT, are the run's from here.
      this.#notStartedEnd = ended;
      this.#home = undefined;
    } else {
      this.#result = ended;
      // A retry that began is the run now: until its end, the run is in progress.
      if (isRunStartedLine(line, this.runId)) this.#notStartedEnd = undefined;
    }
    return true;
  }
}

export { completeRunLog, runLog };
export type { RunLogOptions, RunLogSource, ShownRun };
