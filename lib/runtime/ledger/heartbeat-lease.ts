import type { Lease } from './run-ledger.js';

/**
 * A lease kept alive by a heartbeat: every `heartbeatMs` it is renewed; when
 * renewing shows that it was lost (it expired and another run took it), or
 * renewing fails, `lost` fires so that the run can stop.
 */
abstract class HeartbeatLease implements Lease {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  #released = false;

  protected constructor(heartbeatMs: number) {
    this.#timer = setInterval(() => {
      if (!this.#released) this.renew().catch((error: unknown) => this.lose(error));
    }, heartbeatMs);
    // A finished run must not be kept alive by its lease's heartbeat.
    this.#timer.unref();
  }

  get lost(): AbortSignal {
    return this.#controller.signal;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    await this.giveBack();
  }

  /** Extends the lease, or calls {@link lose} when another run holds it now. */
  protected abstract renew(): Promise<void>;

  /** Gives the lock back, if it is still this lease's. */
  protected abstract giveBack(): Promise<void>;

  /** Marks the lease lost: the heartbeat stops and `lost` fires. */
  protected lose(reason: unknown): void {
    clearInterval(this.#timer);
    this.#controller.abort(reason);
  }
}

export { HeartbeatLease };
