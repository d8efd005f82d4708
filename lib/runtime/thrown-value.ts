import type { RunError } from '../core/run.js';

/** Reads `read()`, or undefined when it throws (a getter, a proxy trap) or is no string. */
function readString(read: () => unknown): string | undefined {
  try {
    const value = read();
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** What `String(value)` says, or undefined when it throws (`Object.create(null)`, a throwing `toString`). */
function stringOf(value: unknown): string | undefined {
  try {
    return String(value);
  } catch {
    return undefined;
  }
}

/**
 * The name and message of anything a task threw, never throwing itself:
 * an Error (of this realm or another), a string, a number, an object with
 * no prototype, one whose `name`, `message` or `toString` throws, or a
 * proxy whose every trap throws. What cannot be read is said to be so.
 *
 * @example
 * describeThrown(new TypeError('bad')); // { name: 'TypeError', message: 'bad' }
 * describeThrown(Object.create(null)); // { name: 'Error', message: 'A value that cannot be shown as text was thrown (object)' }
 */
function describeThrown(thrown: unknown): RunError {
  if (typeof thrown === 'object' && thrown !== null) {
    const name = readString(() => (thrown as { name?: unknown }).name);
    const message = readString(() => (thrown as { message?: unknown }).message);
    if (message !== undefined) return { name: name ?? 'Error', message };
  }
  const text = stringOf(thrown);
  if (text !== undefined && text !== '[object Object]') return { name: 'Error', message: text };
  const json = jsonOf(thrown);
  if (json !== undefined && json !== '{}') return { name: 'Error', message: json };
  return { name: 'Error', message: `A value that cannot be shown as text was thrown (${typeof thrown})` };
}

/** A value's JSON text, or undefined when it has none or making it throws. */
function jsonOf(value: unknown): string | undefined {
  try {
    const json = JSON.stringify(value);
    return typeof json === 'string' ? json : undefined;
  } catch {
    return undefined;
  }
}

/** The stack of a thrown error, when it has one that can be read. */
function stackOf(thrown: unknown): string | undefined {
  if (typeof thrown !== 'object' || thrown === null) return undefined;
  return readString(() => (thrown as { stack?: unknown }).stack);
}

export { describeThrown, stackOf };
