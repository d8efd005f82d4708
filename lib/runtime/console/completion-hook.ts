import type { Completion } from './console-completion.js';

/**
 * How a process that hosts console sessions (the local stage's session
 * process) asks them for completions: the console task, loaded from the
 * release's bundle, registers a completer under this global symbol, and the
 * host, which shares the process but not the bundle's modules, looks it up.
 */
const COMPLETION_HOOK = Symbol.for('cnf-admin.console.complete');

/** Completes `line` in the session with id `session`, opening it when it is not open yet. */
type SessionCompleter = (session: string, line: string) => Promise<Completion>;

/** Registers the completer of this process's console sessions. */
function registerCompleter(completer: SessionCompleter): void {
  (globalThis as Record<symbol, unknown>)[COMPLETION_HOOK] = completer;
}

/** The completer the console task registered, or undefined before the release's console was loaded. */
function registeredCompleter(): SessionCompleter | undefined {
  return (globalThis as Record<symbol, unknown>)[COMPLETION_HOOK] as SessionCompleter | undefined;
}

export { registerCompleter, registeredCompleter };
export type { SessionCompleter };
