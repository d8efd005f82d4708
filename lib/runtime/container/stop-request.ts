import type { StopAsked } from '../../core/container-outcome.js';
import type { RunRecord } from '../../core/run.js';
import type { RunLedger } from '../ledger/run-ledger.js';

/*
 * A container cannot learn why ECS sent it SIGTERM (the task metadata
 * endpoint has no stop code, and the task role may not DescribeTasks). So
 * `cnf-admin stop` writes on the run's record that it asked, before its
 * StopTask, and the container reads that record when it gets SIGTERM: a
 * stop asked so is an interrupt; any other is ECS's (Spot, maintenance).
 */

/** How long a container that got SIGTERM reads its run's record: well inside its stop timeout (30 s) before SIGKILL. */
const STOP_READ_TIMEOUT_MS = 2_000;

/**
 * Records on a run that `cnf-admin stop` asked for its stop (`stopRequestedAt`,
 * `stopRequestedBy`), before its task is stopped, so that the run tells it
 * from a Fargate Spot reclaim.
 *
 * @param record - the run's record as just read; written whole with a ledger that has no `requestStop`
 * @returns false when the run has ended meanwhile: there is nothing to stop
 */
async function recordStopRequest(ledger: RunLedger, record: RunRecord, by: string, at = new Date().toISOString()): Promise<boolean> {
  if (ledger.requestStop !== undefined) return ledger.requestStop(record.runId, by, at);
  await ledger.finish({ ...record, stopRequestedAt: at, stopRequestedBy: by });
  return true;
}

/** What a run's record says of its stop, read once its container got SIGTERM. */
interface StopWatch {
  /** The read begun when the interrupt fired (begun now, if it has not fired). */
  asked(): Promise<StopAsked>;
  /** Stops watching the interrupt. */
  close(): void;
}

/**
 * Reads the run's record as soon as `interrupt` fires (SIGTERM in the
 * container), while the task stops, for whether `cnf-admin stop` asked for
 * the stop. A record that cannot be read within 2 s (a ledger throttled or
 * unreachable) tells nothing: the stop then counts as ECS's.
 */
function watchStopRequest(ledger: RunLedger, runId: string, interrupt: AbortSignal, timeoutMs = STOP_READ_TIMEOUT_MS): StopWatch {
  let read: Promise<StopAsked> | undefined;
  const start = (): Promise<StopAsked> => (read ??= readStopAsked(ledger, runId, timeoutMs));
  if (interrupt.aborted) void start();
  else interrupt.addEventListener('abort', start, { once: true });
  return { asked: start, close: () => interrupt.removeEventListener('abort', start) };
}

async function readStopAsked(ledger: RunLedger, runId: string, timeoutMs: number): Promise<StopAsked> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the run ledger did not answer within ${timeoutMs / 1000}s`)), timeoutMs);
  });
  try {
    const record = await Promise.race([ledger.get(runId), late]);
    const { stopRequestedAt: at, stopRequestedBy: by } = record ?? {};
    return at !== undefined && by !== undefined ? { asked: true, by, at } : { asked: false };
  } catch (error) {
    return { asked: false, unread: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export { recordStopRequest, watchStopRequest };
export type { StopWatch };
