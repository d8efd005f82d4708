import type { z } from 'zod';

/** The outcome of checking args against a task's schema. */
type ArgsCheck = { readonly ok: true; readonly args: unknown } | { readonly ok: false; readonly message: string };

/**
 * Checks args against a task's schema and, when they fail, says which field
 * is wrong and why, in one line.
 *
 * @example
 * checkArgs(schema, { olderThanDays: 'x' });
 * // { ok: false, message: 'olderThanDays: Invalid input: expected number, received string' }
 */
function checkArgs(schema: z.ZodType, args: unknown): ArgsCheck {
  const parsed = schema.safeParse(args ?? {});
  if (parsed.success) return { ok: true, args: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
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

export { checkArgs, redactArgs };
export type { ArgsCheck };
