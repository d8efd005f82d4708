import { deserialize, serialize } from 'node:v8';
import { createContext, runInContext, type Context } from 'node:vm';
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

  constructor(scope: Record<string, unknown>) {
    this.#context = createContext({ ...nodeGlobals(), ...scope });
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

  /** Evaluates one input and resolves to its completion value. */
  async evaluate(code: string): Promise<unknown> {
    const rewritten = rewriteInput(code);
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

export { ConsoleSession };
export type { SavedState };
