import { deserialize, serialize } from 'node:v8';
import { constants, createContext, runInContext, runInNewContext, type Context, type RunningCodeOptions } from 'node:vm';
import { completeLine, dataProperty, memberNames, valueAt, type Completion } from './console-completion.js';
import { rewriteInput } from './rewrite-input.js';

/** The globals a console session has besides JavaScript's own: what a Node script would reach for. */
function nodeGlobals(): Record<string, unknown> {
  return {
    console,
    process,
    Buffer,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    AbortController,
    AbortSignal,
    fetch,
    performance,
    structuredClone,
    queueMicrotask,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    setImmediate,
    clearImmediate,
  };
}

/**
 * How `import()` in console input loads a module: as the host process
 * would, with Node's own loader (`await import('node:fs')`, a package of the
 * app). Node 20.12+ and 22 name that loader; older releases take a callback.
 */
const importModuleDynamically: RunningCodeOptions['importModuleDynamically'] =
  (constants as Partial<typeof constants> | undefined)?.USE_MAIN_CONTEXT_DEFAULT_LOADER ??
  ((specifier: string) => import(specifier) as Promise<never>);

let loaderWarningMuted = false;

/**
 * Node marks its main-context loader experimental and warns about it on the
 * first `import()` that uses it: a line in the console's output that the
 * user did nothing to earn. This one warning is dropped, for the process;
 * every other warning passes as before.
 */
function muteLoaderWarning(): void {
  if (loaderWarningMuted) return;
  loaderWarningMuted = true;
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}

/**
 * The names Node's REPL keeps the last value (`_`) and the last error
 * (`_error`) under; an input that declares one of them takes it over.
 */
const LAST_VALUE = '_';
const LAST_ERROR = '_error';

/** The global names every console session has (JavaScript's and Node's), for completion where no session is at hand. */
function consoleGlobalNames(): string[] {
  return [...(runInNewContext('Object.getOwnPropertyNames(globalThis)') as string[]), ...Object.keys(nodeGlobals())];
}

/** A session's declared variables, saved between evaluations that share no process (AWS). */
interface SavedState {
  /** The saved values (v8 serialization, base64), or undefined when there are none. */
  readonly state: string | undefined;
  /** The names whose values were saved. */
  readonly kept: readonly string[];
  /** The names whose values cannot be saved (functions, handles, class instances with methods). */
  readonly dropped: readonly string[];
}

/**
 * One console session: a V8 context holding the scope and whatever the
 * inputs declared. Each input may use `await` at its top level; its
 * declarations stay for the next input.
 */
class ConsoleSession {
  readonly #context: Context;
  readonly #declared = new Set<string>();
  readonly #scope: readonly string[];

  constructor(scope: Record<string, unknown>) {
    this.#context = createContext({ ...nodeGlobals(), ...scope });
    this.#scope = Object.keys(scope);
  }

  /**
   * A session rebuilt from saved state: the scope, then every saved variable.
   * Variables holding functions or handles were never saved: inputs re-create them.
   */
  static restore(scope: Record<string, unknown>, state: string | undefined): ConsoleSession {
    const session = new ConsoleSession(scope);
    if (state !== undefined && state !== '') {
      const values = deserialize(Buffer.from(state, 'base64')) as Record<string, unknown>;
      for (const [name, value] of Object.entries(values)) {
        session.#context[name] = value;
        // `_` and `_error` travel too, and go on following the session's values.
        if (name !== LAST_VALUE && name !== LAST_ERROR) session.#declared.add(name);
      }
    }
    return session;
  }

  /**
   * Evaluates one input and resolves to its completion value.
   *
   * `bindings` are names that belong to this evaluation alone (its `signal`,
   * its run's `log`); a name the session declared itself is left alone.
   */
  async evaluate(code: string, bindings: Record<string, unknown> = {}): Promise<unknown> {
    const rewritten = rewriteInput(code);
    for (const [name, value] of Object.entries(bindings)) if (!this.#declared.has(name)) this.#context[name] = value;
    for (const name of rewritten.declared) this.#declared.add(name);
    muteLoaderWarning();
    try {
      // breakOnSigint: a SIGINT ends synchronous code (`while (true) {}`) with an error, and the session lives on.
      const value = (await runInContext(rewritten.source, this.#context, {
        filename: 'console',
        breakOnSigint: true,
        importModuleDynamically,
      })) as unknown;
      this.#keep(LAST_VALUE, value);
      return value;
    } catch (error) {
      this.#keep(LAST_ERROR, error);
      throw error;
    }
  }

  /** Sets `_` or `_error`, unless an input declared that name for itself. */
  #keep(name: typeof LAST_VALUE | typeof LAST_ERROR, value: unknown): void {
    if (!this.#declared.has(name)) this.#context[name] = value;
  }

  /** The names an input can use: the scope's and the declared ones, for completion. */
  names(): string[] {
    const globals = new Set(Object.keys(nodeGlobals()));
    return Object.keys(this.#context)
      .filter((name) => !globals.has(name))
      .concat([...this.#declared])
      .filter((name, index, all) => all.indexOf(name) === index)
      .sort();
  }

  /** The names the inputs declared, sorted. */
  declaredNames(): string[] {
    return [...this.#declared].sort();
  }

  /** Completes the end of a line from what the session holds: its globals, the scope, declared names and their members. */
  complete(line: string): Completion {
    const global = runInContext('globalThis', this.#context) as object;
    return completeLine(line, {
      names: () => [...Object.getOwnPropertyNames(global), ...this.#declared],
      members: (path) => {
        // A global's getter (one an input defined) is code: completion reads data properties only.
        const found = valueAt((name) => dataProperty(global, name)?.value, path);
        return found === undefined ? undefined : memberNames(found.value);
      },
    });
  }

  /** The member names of each scope value (`notes`, `db`), for completion where the values cannot travel (AWS). */
  scopeMembers(): Record<string, string[]> {
    return Object.fromEntries(
      this.#scope.filter((name) => !this.#declared.has(name)).map((name) => [name, memberNames(this.#context[name]).slice(0, 500)]),
    );
  }

  /** Saves every declared variable whose value survives serialization. */
  save(): SavedState {
    const values: Record<string, unknown> = {};
    const dropped: string[] = [];
    const names = [...this.#declared, ...[LAST_VALUE, LAST_ERROR].filter((name) => !this.#declared.has(name) && name in this.#context)];
    for (const name of names) {
      const value = this.#context[name] as unknown;
      try {
        serialize(value);
        values[name] = value;
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        // `_` and `_error` were no choice of the user's: losing them is no news.
        if (this.#declared.has(name)) dropped.push(name);
      }
    }
    const saved = Object.keys(values).sort();
    return { state: saved.length === 0 ? undefined : serialize(values).toString('base64'), kept: saved, dropped: dropped.sort() };
  }
}

export { consoleGlobalNames, ConsoleSession };
export type { SavedState };
