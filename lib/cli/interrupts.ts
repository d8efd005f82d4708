import { CnfError, ERROR_PREFIX } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { STOP_SIGNALS } from '../core/stop-signals.js';
import { stylerFor, writeLine, type CliIo } from './io.js';
import { writeNotice } from './render/run-view.js';

/* All stop signals end the CLI the same way (130 when they stopped it), never by the signal (143, 129). */

/*
 * Under npx one Ctrl-C arrives twice: the
 * terminal sends SIGINT to its whole foreground process group, and npm, in
 * that group too, forwards the one it got to the CLI. There a stop signal
 * this soon after the one before is that echo, not a second Ctrl-C; and one
 * that arrives after the command has finished must not kill the process on
 * its way out (npm would then report 130 for a command that ended 0).
 */
const ECHO_MS = 300;

/** Whether npx started this process, and so forwards the signals it gets (npm names the event `npx`). */
const UNDER_NPM = process.env.npm_lifecycle_event === 'npx';

let lastSignalAt = Number.NEGATIVE_INFINITY;

/*
 * npm passes on a Ctrl-C, but not a SIGTERM or SIGHUP sent to its own
 * process alone (a CI job cancelled, a supervisor's stop): it exits (143,
 * 129) and would leave the CLI running unseen. Under npx the CLI checks this
 * often that npm is still its parent, and stops as on a hang-up once it is not.
 */
const PARENT_WATCH_MS = 250;

/** The process that started this one, as it was when the CLI loaded: npm, under npx (which may be pid 1 itself, in a container). */
const STARTED_BY = process.ppid;

/**
 * Calls `handler` on every stop signal that is not npm's echo of the one
 * before ({@link ECHO_MS}). Returns a function that removes it; an echo
 * still due after that is absorbed (by a listener that holds no process open).
 */
function onStopSignal(handler: (signal: NodeJS.Signals) => void): () => void {
  let active = true;
  let signalled = false;
  const listener = (signal: NodeJS.Signals): void => {
    const now = Date.now();
    const echo = UNDER_NPM && now - lastSignalAt < ECHO_MS;
    lastSignalAt = now;
    signalled = true;
    if (!echo && active) handler(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, listener);
  // A stop signal that reached the CLI itself (its process group's) is the stop: npm going with it is no second one.
  const parentWatch = UNDER_NPM
    ? setInterval(() => {
        if (!signalled && process.ppid === STARTED_BY) return;
        clearInterval(parentWatch);
        if (!signalled) listener('SIGHUP');
      }, PARENT_WATCH_MS).unref()
    : undefined;
  return () => {
    clearInterval(parentWatch);
    const echoDueMs = UNDER_NPM ? lastSignalAt + ECHO_MS - Date.now() : 0;
    const remove = (): void => {
      for (const signal of STOP_SIGNALS) process.off(signal, listener);
    };
    if (echoDueMs <= 0) {
      remove();
      return;
    }
    active = false;
    setTimeout(remove, echoDueMs).unref();
  };
}

/** An interrupt that came before anything ran: the CLI ends with 130, and nothing ran. */
class InterruptedError extends CnfError {
  constructor(message: string) {
    super(message, ExitCode.INTERRUPTED, 'user');
  }
}

/**
 * Runs `work` with the stop signals wired to it: the first shows `notice`
 * (decided when it comes, as what it means depends on how far `work` got)
 * and fires `signal`, the next fires `force`.
 */
async function withInterrupts<T>(
  io: CliIo,
  notice: string | (() => string),
  work: (signal: AbortSignal, force: AbortSignal) => Promise<T>,
): Promise<T> {
  const interrupt = new AbortController();
  const force = new AbortController();
  const onSignal = (): void => {
    if (!interrupt.signal.aborted) {
      writeNotice(io, typeof notice === 'string' ? notice : notice());
      interrupt.abort();
    } else {
      force.abort();
    }
  };
  const removeListener = onStopSignal(onSignal);
  try {
    return await work(interrupt.signal, force.signal);
  } finally {
    removeListener();
  }
}

/**
 * Waits for `promise`, the preparation of a run (planning, a first deploy,
 * starting the database), unless `signal` fires first: then nothing has run,
 * and the CLI ends at once with 130 (what was under way finishes by itself).
 *
 * @throws InterruptedError when interrupted first, saying `what` did not happen.
 */
async function unlessInterrupted<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) throw new InterruptedError(`Interrupted: ${what}.`);
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new InterruptedError(`Interrupted: ${what}.`));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, interrupted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Wires the second interrupt (`force`) of a command that moves an alias pair
 * (a deploy): before the pair moves it stops the waiting at once (`waiting`,
 * for {@link unlessInterrupted}); once the change calls `onMove` (which calls
 * the one given), the change finishes whatever comes.
 *
 * @example
 * const move = forceUntilMoved(force);
 * await unlessInterrupted(localStage.deploy(alias, { signal, onMove: move.onMove }), move.waiting, 'nothing moved');
 */
function forceUntilMoved(
  force: AbortSignal,
  onMove: () => void = () => undefined,
): { readonly waiting: AbortSignal; readonly onMove: () => void } {
  let moved = false;
  const waiting = new AbortController();
  force.addEventListener(
    'abort',
    () => {
      if (!moved) waiting.abort();
    },
    { once: true },
  );
  return {
    waiting: waiting.signal,
    onMove: () => {
      moved = true;
      onMove();
    },
  };
}

/**
 * Runs a change of a stage that must not stop half way (a config change, a
 * rollback's move), and what reports it, with the stop signals held: the
 * first one that comes meanwhile writes `notice` (decided when it comes, as
 * what it means depends on how far the change got), and `change` can ask
 * whether one came (a rollback stops before it moves), instead of the process
 * ending with the stage's lock held, or with 130 after the change was made.
 * Pass the report of the change in `change` too: a signal that came after the
 * change but before its report would end the process as interrupted.
 *
 * @example
 * await unstoppable(io, 'Interrupted: the change under way finishes first.', () => platform.parameters.set(key, value, { secure }));
 */
async function unstoppable<T>(io: CliIo, notice: string | (() => string), change: (interrupted: () => boolean) => Promise<T>): Promise<T> {
  let interrupted = false;
  const stopListening = onStopSignal(() => {
    if (!interrupted) writeNotice(io, typeof notice === 'string' ? notice : notice());
    interrupted = true;
  });
  try {
    return await change(() => interrupted);
  } finally {
    stopListening();
  }
}

/**
 * Runs what comes before a change of a stage (opening it, checking the
 * input, asking for a value) so that a stop signal meanwhile ends the CLI at
 * once with 130 and one line, `Interrupted: <nothing>.`: nothing is held yet,
 * nothing was written, and nothing is left to finish. Without it the process
 * would end by the signal, silently.
 *
 * @example
 * const stage = await beforeChange(io, 'nothing was set', () => openStage(io, options));
 */
async function beforeChange<T>(io: CliIo, nothing: string, prepare: () => Promise<T>): Promise<T> {
  const stopListening = onStopSignal(() => {
    writeLine(io.stderr, `${stylerFor(io.stderr, io.env)('red', ERROR_PREFIX)} Interrupted: ${nothing}.`);
    process.exit(ExitCode.INTERRUPTED);
  });
  try {
    return await prepare();
  } finally {
    stopListening();
  }
}

/** What a config change says of a stop signal that comes while it is made. */
const CHANGE_FINISHES_FIRST = 'Interrupted: the change under way finishes first, so that nothing is left half done.';

export {
  beforeChange,
  CHANGE_FINISHES_FIRST,
  forceUntilMoved,
  InterruptedError,
  onStopSignal,
  STOP_SIGNALS,
  unlessInterrupted,
  unstoppable,
  withInterrupts,
};
