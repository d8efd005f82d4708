/** What a task's `process.exit(code)` throws, so that no more of the task runs; the run ends with `code`. */
class ProcessExitCalled extends Error {
  constructor(readonly code: unknown) {
    super(`The task called process.exit(${String(code)})`);
    this.name = 'ProcessExitCalled';
  }
}

/** A trap set on `process.exit` for the time a task runs. */
interface ProcessExitTrap {
  /** Resolves with the code when the task calls `process.exit`. */
  readonly called: Promise<ProcessExitCalled>;
  /** The first call, once there was one: it decides the run's end, whatever the task did after it. */
  firstCall(): ProcessExitCalled | undefined;
  /** Puts `process.exit` back. */
  restore(): void;
}

/**
 * Replaces `process.exit` while a task runs, so that a task that calls it
 * ends its run with that code, recorded in the ledger and its lock given
 * back, the same on Lambda, in a container and locally, instead of killing
 * the process mid-run (which leaves the run "in progress" and the lock held).
 *
 * The call throws {@link ProcessExitCalled}, as `process.exit` never returns:
 * nothing after it in the task runs. Such a throw that no one catches (from a
 * timer) is not a crash: it is swallowed while the trap is set.
 */
function trapProcessExit(): ProcessExitTrap {
  const original = process.exit;
  let resolveCalled: (call: ProcessExitCalled) => void = () => undefined;
  let first: ProcessExitCalled | undefined;
  const called = new Promise<ProcessExitCalled>((resolve) => {
    resolveCalled = resolve;
  });
  const onUncaught = (error: unknown): void => {
    if (error instanceof ProcessExitCalled) return;
    // Another uncaught error: whoever else listens handles it; alone here, end as Node would (its error, exit 1).
    if (process.listenerCount('uncaughtException') > 1) return;
    console.error(error);
    original.call(process, 1);
  };
  process.on('uncaughtException', onUncaught);
  process.exit = ((code?: unknown) => {
    const call = new ProcessExitCalled(code ?? process.exitCode ?? 0);
    first ??= call;
    resolveCalled(first);
    throw call;
  }) as typeof process.exit;
  return {
    called,
    firstCall: () => first,
    restore() {
      process.exit = original;
      process.off('uncaughtException', onUncaught);
    },
  };
}

export { ProcessExitCalled, trapProcessExit };
export type { ProcessExitTrap };
