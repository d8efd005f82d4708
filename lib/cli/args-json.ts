import { argsLimitProblem, argsTextProblem } from '../core/args-limits.js';
import { UsageError } from '../core/errors.js';
import { duplicateJsonKey } from '../core/json-duplicate-keys.js';
import { jsonSyntaxProblem } from '../core/json-syntax.js';

const LIMITS_HINT =
  'Task args may nest 32 levels, take 256 KB and have no key named __proto__; pass large data by reference (an S3 key, a file in the bundle).';

/* A bare `<name>` where a JSON value goes: a value left to fill in by a command copied from a run (lib/cli/ui/cli-equivalent.ts). */
const VALUE_TO_FILL_IN = /[:,[]\s*<[^<>"\s]+>/;

/** What kind of JSON value `value` is, as a message names it: `an array`, `null`, `a number`. */
function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

/**
 * Reads `--args '<json>'`: a JSON object, within the limits of task args
 * (`lib/core/args-limits.ts`), checked before anything starts.
 *
 * @throws UsageError when it is not JSON, not an object, gives a key twice, or is too deep or too large.
 */
function parseArgsJson(text: string): Record<string, unknown> {
  const tooLarge = argsTextProblem('--args', text);
  if (tooLarge !== undefined) throw new UsageError(tooLarge);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // The text is not quoted back: what is not JSON may be a secret typed without its quotes.
    const hint = VALUE_TO_FILL_IN.test(text)
      ? 'A bare <name> in --args is a value to fill in: a command copied from a run leaves out the values the ledger did not keep (secrets, long text). Write each as JSON in its place.'
      : `Quote the object for your shell, e.g. --args '{"days": 30}'`;
    throw new UsageError(`--args is not valid JSON: ${jsonSyntaxProblem(error)}`, { hint, cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    // What it is, not what it says: a bare number or string may be a secret given to the wrong flag.
    throw new UsageError(`--args must be a JSON object, got ${jsonKind(value)}`, {
      hint: `For example: --args '{"count": 2}', or give the args as flags after --: cnf-admin invoke <task> -- --count 2`,
    });
  }
  const twice = duplicateJsonKey(text);
  if (twice !== undefined) {
    throw new UsageError(`--args gives the key ${JSON.stringify(twice)} more than once; give it once.`, {
      hint: `Each arg takes one value: keep the ${JSON.stringify(twice)} you mean and remove the other.`,
    });
  }
  const tooDeep = argsLimitProblem('--args', value);
  if (tooDeep !== undefined) throw new UsageError(tooDeep, { hint: LIMITS_HINT });
  return value as Record<string, unknown>;
}

/**
 * Checks task args given both ways (`--args` and flags after `--`) against
 * the size limit of task args, together, before anything starts.
 *
 * @throws UsageError naming the limit.
 */
function checkTaskArgsSize(json: Readonly<Record<string, unknown>>, argv: readonly string[]): void {
  const problem = argsLimitProblem('The task args', json, argv);
  if (problem !== undefined) throw new UsageError(problem, { hint: LIMITS_HINT });
}

export { checkTaskArgsSize, parseArgsJson };
