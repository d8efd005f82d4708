/** What marks a value met again inside itself, in a task's result. */
const CIRCULAR_MARK = '[Circular]';

/** A value that could not be read (a getter, `toJSON` or proxy trap that threw). */
function unreadable(error: unknown): string {
  return `[Unreadable: ${safeMessage(error)}]`;
}

function safeMessage(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'a value that cannot be described';
  }
}

function convert(value: unknown, ancestors: object[]): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (ancestors.includes(value)) return CIRCULAR_MARK;
  ancestors.push(value);
  try {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return convert(toJSON.call(value), ancestors);
    if (value instanceof Map) return convert(Object.fromEntries(value), ancestors);
    if (value instanceof Set) return convert([...value], ancestors);
    if (Array.isArray(value)) return value.map((item) => convert(item, ancestors) ?? null);
    const entries: [string, unknown][] = [];
    for (const key of Object.keys(value)) {
      let item: unknown;
      try {
        item = convert((value as Record<string, unknown>)[key], ancestors);
      } catch (error) {
        item = unreadable(error);
      }
      if (item !== undefined) entries.push([key, item]);
    }
    return Object.fromEntries(entries);
  } catch (error) {
    return unreadable(error);
  } finally {
    ancestors.pop();
  }
}

/**
 * A task's return value as plain JSON data, whatever it holds, so that it
 * always reaches the terminal, the caller and the ledger (never a TypeError
 * after the run ended):
 *
 * - a value met again inside itself (a cycle) becomes `"[Circular]"`; the
 *   same object in two places that is no cycle is kept in both;
 * - a BigInt becomes its decimal string (`10n` becomes `"10"`);
 * - `NaN` and the infinities become `null`, as `JSON.stringify` makes them;
 * - a Map becomes an object of its entries, a Set an array;
 * - what JSON leaves out (functions, symbols, `undefined`) is left out;
 * - a getter, `toJSON` or proxy trap that throws becomes `"[Unreadable: <error>]"`.
 *
 * @example
 * const a: Record<string, unknown> = { n: 1n };
 * a.self = a;
 * jsonSafe(a); // { n: '1', self: '[Circular]' }
 */
function jsonSafe(value: unknown): unknown {
  try {
    return convert(value, []);
  } catch (error) {
    return unreadable(error);
  }
}

export { CIRCULAR_MARK, jsonSafe };
