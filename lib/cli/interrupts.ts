import type { CliIo } from './io.js';
import { writeNotice } from './render/run-view.js';

/**
 * Ctrl-C, and the signals a terminal or a supervisor sends when it goes away
 * or wants the process to stop: each asks the run to stop, so that it ends,
 * and records its end, instead of being orphaned.
 */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs `work` with the stop signals wired to it: the first shows `notice` and
 * fires `signal`, the next fires `force`.
 */
async function withInterrupts<T>(io: CliIo, notice: string, work: (signal: AbortSignal, force: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController();
  const force = new AbortController();
  const onSignal = (): void => {
    if (!interrupt.signal.aborted) {
      writeNotice(io, notice);
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

export { STOP_SIGNALS, withInterrupts };
