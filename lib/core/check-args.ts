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
    if (usage !== undefined) {
      if (issue.path.length === 1 && issue.code === 'invalid_type' && !Object.hasOwn(given, key as string)) return `missing ${usage}`;
      const flag = usage.split(' ')[0] as string;
      const within = issue.path.length === 1 ? '' : ` (at ${issue.path.slice(1).map(String).join('.')})`;
      return `${flag}${within}: ${issue.message}`;
    }
    const field = issue.path.length === 0 ? '(args)' : issue.path.map(String).join('.');
    const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` ${issue.keys.join(', ')}` : '';
    return `${field}: ${issue.message}${issue.code === 'unrecognized_keys' ? '' : keys}`;
  });
  return { ok: false, message: problems.join('; ') };
}

export { checkArgs };
export type { ArgsCheck, FlagTerms };
