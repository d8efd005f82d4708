import { isSecretLookingKey } from '../core/secret-looking-key.js';
import { REDACTED } from './redact-secrets.js';

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
      if (sensitive.includes(key)) return [key, `[redacted: ${lengthOf(value)} characters]`];
      if (isSecretLookingKey(key)) return [key, REDACTED];
      if (typeof value === 'string' && value.length > MAX_RECORDED_TEXT) return [key, `[omitted: ${value.length} characters]`];
      return [key, value];
    }),
  );
}

/* How long a sensitive arg is: a text's own characters (not its JSON's, with quotes and escapes), anything else's JSON. */
function lengthOf(value: unknown): number {
  return typeof value === 'string' ? value.length : JSON.stringify(value ?? null).length;
}

/* What redactArgs puts in place of a sensitive arg, or of text too long to keep. */
const LEFT_OUT = /^\[(?:redacted|omitted): \d+ characters\]$/;

/**
 * Whether recorded args (or any value within them) hold something the ledger
 * did not keep as it was given: a placeholder of {@link redactArgs}, or a
 * secret's `[redacted]` within text. Such args cannot start the same run again.
 */
function holdsLeftOutArgs(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(REDACTED) || LEFT_OUT.test(value);
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(holdsLeftOutArgs);
}

export { holdsLeftOutArgs, redactArgs };
