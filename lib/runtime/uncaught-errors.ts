/** The process's error events that end a run when a task leaves an error unhandled. */
const UNCAUGHT_ERROR_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

type Listener = (...args: unknown[]) => void;

/** A run's hold on the process's uncaught errors; see {@link catchUncaught}. */
interface UncaughtGuard {
  /** Settles with the first error a task left uncaught (an exception, or a rejection nothing handled); never rejects. */
  readonly caught: Promise<{ readonly error: unknown }>;
  /** Gives the events back to the listeners they had before. */
  release(): void;
}

/**
 * For the duration of a run, an uncaught exception or an unhandled
 * rejection is the run's: the task ends with it as if it had thrown it
 * (exit 1, its message redacted and recorded), instead of Node printing its
 * fatal error report (the error and its values, unredacted) and the process
 * dying, or Lambda's runtime failing the invocation. The listeners the
 * process had are set aside meanwhile and put back by `release`.
 *
 * @example
 * const guard = catchUncaught();
 * try {
 *   await Promise.race([task.run(context), guard.caught.then(({ error }) => Promise.reject(error))]);
 * } finally {
 *   guard.release();
 * }
 */
function catchUncaught(): UncaughtGuard {
  let settle: (value: { readonly error: unknown }) => void = () => undefined;
  const caught = new Promise<{ readonly error: unknown }>((resolve) => {
    settle = resolve;
  });
  const onError = (error: unknown): void => settle({ error });
  const setAside = UNCAUGHT_ERROR_EVENTS.map((event) => {
    const listeners = process.rawListeners(event) as Listener[];
    process.removeAllListeners(event);
    process.on(event, onError);
    return { event, listeners };
  });
  return {
    caught,
    release() {
      for (const { event, listeners } of setAside) {
        process.off(event, onError);
        for (const listener of listeners) process.on(event, listener);
      }
    },
  };
}

export { catchUncaught, UNCAUGHT_ERROR_EVENTS };
export type { UncaughtGuard };
