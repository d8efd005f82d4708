import { isCnfError, retold } from '../../core/errors.js';
import { SecretRedactor } from '../../runtime/redact-secrets.js';

/**
 * What a failed write of a secure value throws, told without the value: AWS
 * may quote what it was sent (a `ValidationException` naming the value that
 * fails a constraint, a KMS refusal), and the SDK's message is in the CLI's
 * error, its hint and its stack. A copy of `error` of the same class and
 * exit code, with every form of `secret` replaced by `[redacted]`, and
 * without the SDK's error as its cause, which holds the message as AWS sent it.
 *
 * @example
 * try { await put(value) } catch (error) { throw withoutSecret(error, value) }
 */
function withoutSecret(error: unknown, secret: string): unknown {
  const redactor = new SecretRedactor([secret]);
  if (!(error instanceof Error) || !redactor.active) return error;
  const message = redactor.text(error.message);
  const copy = isCnfError(error)
    ? retold(error, message, { hint: error.hint === undefined ? null : redactor.text(error.hint) })
    : new Error(message);
  copy.name = error.name;
  copy.stack = redactor.text(String(error.stack));
  return copy;
}

export { withoutSecret };
