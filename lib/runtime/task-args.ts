import type { z } from 'zod';

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

const SECRET_LOOKING_KEY = /pass(word)?|secret|token|credential|private|api[-_]?key/i;

/* Longer text (a console session's saved state, say) is not worth a ledger entry's space. */
const MAX_RECORDED_TEXT = 4096;

/**
 * The args as the ledger and the log keep them: values under secret-looking
 * keys (`password`, `token`, `apiKey`, ...) become `[redacted]`, the task's
 * sensitive args `[redacted: N characters]`, and text longer than 4 KB
 * `[omitted: N characters]`.
 */
function redactArgs(args: Readonly<Record<string, unknown>>, sensitive: readonly string[] = []): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([key, value]) => {
      if (sensitive.includes(key)) return [key, `[redacted: ${JSON.stringify(value ?? null).length} characters]`];
      if (SECRET_LOOKING_KEY.test(key)) return [key, '[redacted]'];
      if (typeof value === 'string' && value.length > MAX_RECORDED_TEXT) return [key, `[omitted: ${value.length} characters]`];
      return [key, value];
    }),
  );
}

/** A value as JSON with its object keys sorted, so that equal args compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/* A message shows this much of a value that differs. */
const MAX_SHOWN_VALUE = 40;

function shown(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}…` : text;
}

/**
 * How two recorded args differ, key by key, or undefined when they are the
 * same. Both are compared as the ledger keeps them (redacted), so a
 * difference only in a redacted value does not show.
 *
 * @example
 * argsDifference({ count: 1 }, { count: 2 }); // 'count: 1 then, 2 now'
 */
function argsDifference(then: Readonly<Record<string, unknown>>, now: Readonly<Record<string, unknown>>): string | undefined {
  const keys = [...new Set([...Object.keys(then), ...Object.keys(now)])];
  const differing = keys.filter((key) => canonicalJson(then[key]) !== canonicalJson(now[key]));
  if (differing.length === 0) return undefined;
  return differing.map((key) => `${key}: ${shown(then[key])} then, ${shown(now[key])} now`).join('; ');
}

export { argsDifference, checkArgs, redactArgs };
export type { ArgsCheck, FlagTerms };
