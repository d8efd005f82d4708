import type { Lease } from './lease.js';

/* The first retry of a failed renewal waits this long; each next one twice as long, up to the heartbeat. */
const RETRY_BASE_MS = 200;

/** The lease ran out before a renewal got through: the store may give it to another run now. */
class LeaseExpiredError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LeaseExpiredError';
  }
}

/**
 * A lease kept alive by a heartbeat: every `heartbeatMs` it is renewed.
 *
 * A lease is lost only when another holder has taken it (the renewal says
 * so) or when it has expired. A renewal that fails (a throttled or dropped
 * request, a busy disk) is retried with exponential backoff and jitter for
 * as long as the lease is still valid; a hiccup does not stop the run. The
 * holder counts the lease as expired a tenth of its life before the store
 * would, so that it has stopped before anyone else can take it.
 */
abstract class HeartbeatLease implements Lease {
  readonly #controller = new AbortController();
  #beatTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #released = false;
  /* The renewal under way, if any: a release waits for it, so that it cannot land after the lease is given back. */
  #beating: Promise<void> = Promise.resolve();
  #failures = 0;
  #lastError: unknown;
  readonly #heartbeatMs: number;
  readonly #leaseMs: number;

  /**
   * @param heartbeatMs - how often the lease is renewed
   * @param leaseMs - how long the store keeps the lease from its last renewal
   */
  protected constructor(heartbeatMs: number, leaseMs: number) {
    this.#heartbeatMs = heartbeatMs;
    this.#leaseMs = leaseMs;
    this.#validFrom(Date.now());
    this.#scheduleBeat(heartbeatMs);
  }

  get lost(): AbortSignal {
    return this.#controller.signal;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#stopTimers();
    await this.#beating;
    await this.giveBack();
  }

  /** Extends the lease, or calls {@link lose} when another run holds it now; throws when the store could not be asked. */
  protected abstract renew(): Promise<void>;

  /** Gives the lock back, if it is still this lease's. */
  protected abstract giveBack(): Promise<void>;

  /** Marks the lease lost: the heartbeat stops and `lost` fires. */
  protected lose(reason: unknown): void {
    this.#stopTimers();
    this.#controller.abort(reason);
  }

  #done(): boolean {
    return this.#released || this.#controller.signal.aborted;
  }

  async #beat(): Promise<void> {
    if (this.#done()) return;
    const attemptAt = Date.now();
    try {
      await this.renew();
    } catch (error) {
      if (this.#done()) return;
      this.#failures += 1;
      this.#lastError = error;
      // Full jitter: contenders that failed together do not retry together.
      const backoff = Math.min(this.#heartbeatMs, RETRY_BASE_MS * 2 ** (this.#failures - 1));
      this.#scheduleBeat(backoff / 2 + (Math.random() * backoff) / 2);
      return;
    }
    if (this.#done()) return;
    this.#failures = 0;
    this.#lastError = undefined;
    this.#validFrom(attemptAt);
    this.#scheduleBeat(this.#heartbeatMs);
  }

  /** The store extended the lease by `leaseMs` from no earlier than `renewedAt`. */
  #validFrom(renewedAt: number): void {
    clearTimeout(this.#expiryTimer);
    const validMs = renewedAt + this.#leaseMs - this.#leaseMs / 10 - Date.now();
    this.#expiryTimer = setTimeout(() => this.#expire(), Math.max(0, validMs));
    this.#expiryTimer.unref();
  }

  #expire(): void {
    if (this.#done()) return;
    const last = this.#lastError as Error | undefined;
    const why =
      last === undefined
        ? 'it was not renewed in time: the process was busy'
        : `${this.#failures} renewals failed, the last with ${last.name}: ${last.message}`;
    this.lose(new LeaseExpiredError(`The lease expired before it could be renewed (${why})`, { cause: last }));
  }

  #scheduleBeat(delayMs: number): void {
    this.#beatTimer = setTimeout(() => {
      this.#beating = this.#beat();
    }, delayMs);
    // A finished run must not be kept alive by its lease's heartbeat.
    this.#beatTimer.unref();
  }

  #stopTimers(): void {
    clearTimeout(this.#beatTimer);
    clearTimeout(this.#expiryTimer);
  }
}

export { HeartbeatLease, LeaseExpiredError };
