import { deserialize, serialize } from 'node:v8';
import { createContext, runInContext, runInNewContext, type Context } from 'node:vm';
import { completeLine, memberNames, valueAt, type Completion } from './console-completion.js';
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
        session.#declared.add(name);
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
    return (await runInContext(rewritten.source, this.#context, { filename: 'console' })) as unknown;
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
    const global = runInContext('globalThis', this.#context) as Record<string, unknown>;
    return completeLine(line, {
      names: () => [...(runInContext('Object.getOwnPropertyNames(globalThis)', this.#context) as string[]), ...this.#declared],
      members: (path) => {
        const found = valueAt((name) => global[name], path);
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
    for (const name of this.#declared) {
      const value = this.#context[name] as unknown;
      try {
        serialize(value);
        values[name] = value;
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        dropped.push(name);
      }
    }
    const kept = Object.keys(values).sort();
    return { state: kept.length === 0 ? undefined : serialize(values).toString('base64'), kept, dropped: dropped.sort() };
  }
}

export { consoleGlobalNames, ConsoleSession };
export type { SavedState };
