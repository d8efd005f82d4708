import type { RunError } from '../core/run.js';
import { redact } from './logger.js';

/** Longest first: a secret that contains another is replaced whole. */
function ordered(secrets: readonly string[]): string[] {
  return [...new Set(secrets)].sort((a, b) => b.length - a.length);
}

function redactIn(value: unknown, secrets: readonly string[], seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return value;
  seen.add(value);
  // What JSON would make of it (a Date, a class with toJSON): the result travels as JSON anyway.
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return redactIn(json.call(value), secrets, seen);
  if (Array.isArray(value)) return value.map((item) => redactIn(item, secrets, seen));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key, secrets), redactIn(item, secrets, seen)]));
}

/**
 * A copy of a run's output with every secret value replaced by
 * `[redacted]`, in every string and key at any depth: a run result travels
 * to the terminal, to CI logs and to whoever invoked the function, none of
 * which may see a secure parameter.
 *
 * @example
 * redactOutput({ url: 'postgres://app:hunter22@db/app' }, ['hunter22']); // { url: 'postgres://app:[redacted]@db/app' }
 */
function redactOutput(output: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return output;
  return redactIn(output, ordered(secrets), new WeakSet());
}

/**
 * A run error with every secret value in its name and message replaced by
 * `[redacted]`, before the run result leaves the handler and before the
 * ledger keeps it (400 days on AWS).
 */
function redactRunError(error: RunError, secrets: readonly string[]): RunError {
  if (secrets.length === 0) return error;
  const sorted = ordered(secrets);
  return { name: redact(error.name, sorted), message: redact(error.message, sorted) };
}

/**
 * A run's outcome with secret values redacted from its output and its
 * error: what the handler returns and what the ledger records.
 */
function redactOutcome<T extends { readonly output?: unknown; readonly error?: RunError }>(outcome: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return outcome;
  return {
    ...outcome,
    ...(outcome.output === undefined ? {} : { output: redactOutput(outcome.output, secrets) }),
    ...(outcome.error === undefined ? {} : { error: redactRunError(outcome.error, secrets) }),
  };
}

export { redactOutcome, redactOutput, redactRunError };
