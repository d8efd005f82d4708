import type * as z from 'zod';

/** The outcome of checking args against a task's schema. */
type ArgsCheck = { readonly ok: true; readonly args: unknown } | { readonly ok: false; readonly message: string };

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
    if (missing) return `${field}: missing (expected ${issue.code === 'invalid_type' ? issue.expected : oneOf(issue.values)})`;
    const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` ${issue.keys.join(', ')}` : '';
    return `${field}: ${issue.message}${issue.code === 'unrecognized_keys' ? '' : keys}`;
  });
  return { ok: false, message: problems.join('; ') };
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

/* The start of an invalidArgsMessage: a task's name holds no space, but may hold colons (`notes:purge`). */
const INVALID_ARGS = /^Invalid args for \S+: /;

/** One problem of a refusal of args that came as JSON: the top-level key it is about, and what is wrong. */
interface ArgsProblem {
  readonly field: string;
  readonly problem: string;
}

/**
 * The keys an {@link invalidArgsMessage} of JSON args names, each with its
 * problem, so that a form can mark its fields; none for any other message,
 * and none for a problem of the args as a whole or of a flag.
 *
 * @example
 * invalidArgsFields('Invalid args for echo: count: missing (expected number)');
 * // [{ field: 'count', problem: 'missing (expected number)' }]
 */
function invalidArgsFields(message: string): ArgsProblem[] {
  const prefix = INVALID_ARGS.exec(message)?.[0];
  if (prefix === undefined) return [];
  return message
    .slice(prefix.length)
    .split('; ')
    .flatMap((text) => {
      const match = /^([^\s:.(-][^\s:]*): (.*)$/s.exec(text);
      if (match === null) return [];
      const [, path = '', problem = ''] = match;
      return [{ field: path.split('.')[0] as string, problem }];
    });
}

export { checkArgs, invalidArgsFields, invalidArgsMessage };
export type { ArgsCheck, ArgsProblem, FlagTerms };
