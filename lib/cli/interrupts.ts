import { CnfError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { STOP_SIGNALS } from '../core/stop-signals.js';
import type { CliIo } from './io.js';
import { writeNotice } from './render/run-view.js';

/* All stop signals end the CLI the same way (130 when they stopped it), never by the signal (143, 129). */

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
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    return await work(interrupt.signal, force.signal);
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
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

export { InterruptedError, STOP_SIGNALS, unlessInterrupted, withInterrupts };
