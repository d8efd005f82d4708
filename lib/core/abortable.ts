/** What an abortable wait resolves to when the user interrupted it. */
const INTERRUPTED: unique symbol = Symbol('interrupted');

/**
 * Waits for `promise`, or until `signal` fires (Ctrl-C), whichever is first.
 * The promise goes on: aborting stops the waiting, not the work.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof INTERRUPTED> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.resolve(INTERRUPTED);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(INTERRUPTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Sleeps `ms`; resolves to false when `signal` fired first. */
async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const slept = new Promise<true>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  try {
    return (await untilAborted(slept, signal)) !== INTERRUPTED;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The items of an async iterable until `signal` fires: then the iteration
 * ends at once, even while the source is waiting for its next item.
 */
async function* iterateUntilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await untilAborted(iterator.next(), signal);
      if (next === INTERRUPTED || next.done === true) return;
      yield next.value;
    }
  } finally {
    // Do not wait for a source that is stuck in next(): ask it to finish, and move on.
    iterator.return?.().catch(() => undefined);
  }
}

export { INTERRUPTED, iterateUntilAborted, pause, untilAborted };
