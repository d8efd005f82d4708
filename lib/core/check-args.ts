import type * as z from 'zod';
import { UsageError, type CnfErrorOptions } from './errors.js';

/**
 * One problem of a refusal of args that came as JSON: the top-level key it
 * is about, and what is wrong (an `InvalidArgs` run error's `fields`).
 *
 * @example
 * const problem: ArgsProblem = { field: 'olderThanDays', problem: 'missing (expected number)' };
 */
interface ArgsProblem {
  /** The top-level key of the args that failed, as the task's schema names it. */
  readonly field: string;
  /** What is wrong with its value, in the words of the refusal's message; where it lies deeper in the value, where (`(at port)`, `(at 0)`). */
  readonly problem: string;
}

/**
 * The outcome of checking args against a task's schema: on failure, the
 * one-line message, and the top-level keys it names by their JSON path, for
 * a form to mark (none for a key named as a flag, or for the args as a whole).
 */
type ArgsCheck =
  { readonly ok: true; readonly args: unknown } | { readonly ok: false; readonly message: string; readonly fields: readonly ArgsProblem[] };

/**
 * How to name an args key in a message: its flag usage
 * (`--older-than-days <integer>`) where the user wrote, or would write, it as
 * a flag; undefined where it came as JSON, whose path names it.
 */
type FlagTerms = (key: string) => string | undefined;

/**
 * Checks args against a task's schema and, when they fail, says which field
 * is wrong and why, in one line: by its JSON path, or, for keys that
 * `flagTerms` names, in flags (`missing --older-than-days <integer>`).
 *
 * @example
 * checkArgs(schema, { olderThanDays: 'x' });
 * // { ok: false, message: 'olderThanDays: Invalid input: expected number, received string' }
 * checkArgs(schema, {});
 * // { ok: false, message: 'olderThanDays: missing (expected number)' }
 * checkArgs(schema, {}, () => '--older-than-days <integer>');
 * // { ok: false, message: 'missing --older-than-days <integer>' }
 */
function checkArgs(schema: z.ZodType, args: unknown, flagTerms: FlagTerms = () => undefined): ArgsCheck {
  const given = (args ?? {}) as Record<string, unknown>;
  const parsed = schema.safeParse(given);
  if (parsed.success) return { ok: true, args: parsed.data };
  const fields: ArgsProblem[] = [];
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path[0];
    const usage = typeof key === 'string' ? flagTerms(key) : undefined;
    // A required key left out: zod says "expected number, received undefined", or, for an enum or a literal, "Invalid option".
    const missing =
      issue.path.length === 1 && (issue.code === 'invalid_type' || issue.code === 'invalid_value') && !Object.hasOwn(given, key as string);
    if (usage !== undefined) {
      if (missing) return `missing ${usage}`;
      const flag = usage.split(' ')[0] as string;
      const within = issue.path.length === 1 ? '' : ` (at ${issue.path.slice(1).map(String).join('.')})`;
      return `${flag}${within}: ${issue.message}`;
    }
    const field = issue.path.length === 0 ? '(args)' : issue.path.map(String).join('.');
    const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` ${issue.keys.join(', ')}` : '';
    const problem = missing
      ? `missing (expected ${issue.code === 'invalid_type' ? issue.expected : oneOf(issue.values)})`
      : `${issue.message}${issue.code === 'unrecognized_keys' ? '' : keys}`;
    // Under its field, a problem deeper in the value says where in it (`target.port`: "… (at port)"), as the flag form does.
    const inner = issue.path.length > 1 ? ` (at ${issue.path.slice(1).map(String).join('.')})` : '';
    if (issue.path.length > 0) fields.push({ field: String(key), problem: `${problem}${inner}` });
    return `${field}: ${problem}`;
  });
  return { ok: false, message: problems.join('; '), fields };
}

/** The values an enum or a literal takes, as zod's messages write them: `"a"|"b"`, `one of "a"|"b"`. */
function oneOf(values: readonly unknown[]): string {
  const written = values.map((value) => (typeof value === 'string' ? JSON.stringify(value) : String(value))).join('|');
  return values.length === 1 ? written : `one of ${written}`;
}

/** The one-line refusal of a task's args: `Invalid args for <task>: <checkArgs' message>`. */
function invalidArgsMessage(task: string, problems: string): string {
  return `Invalid args for ${task}: ${problems}`;
}

/**
 * A refusal of a task's args that fail its schema (`InvalidArgs`): its
 * message is an {@link invalidArgsMessage}, and it carries the keys that
 * message names by their JSON path, so that what shows it (the `ui`'s form)
 * reads them, not the message.
 */
class InvalidArgsError extends UsageError {
  /** The top-level keys the refusal names, each with its problem (see {@link ArgsCheck}). */
  readonly fields: readonly ArgsProblem[];

  constructor(message: string, fields: readonly ArgsProblem[], options?: CnfErrorOptions) {
    super(message, options);
    this.fields = fields;
  }
}

export { checkArgs, InvalidArgsError, invalidArgsMessage };
export type { ArgsCheck, ArgsProblem, FlagTerms };
