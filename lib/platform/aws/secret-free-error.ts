import { isCnfError, retold } from '../../core/errors.js';
import { SecretRedactor } from '../../runtime/redact-secrets.js';

/**
 * What a failed AWS call throws, told without what it sent that may be
 * secret: AWS may quote what it was sent (a `ValidationException` naming a
 * secure value that fails a constraint, a KMS refusal, Lambda quoting the
 * invoke's payload), and the SDK's message is in the CLI's error, its hint
 * and its stack. A copy of `error` of the same class and exit code, with
 * every form of each of `secrets` replaced by `[redacted]`, and without the
 * SDK's error as its cause, which holds the message as AWS sent it.
 *
 * @example
 * try { await put(value) } catch (error) { throw withoutSecrets(error, [value]) }
 */
function withoutSecrets(error: unknown, secrets: readonly string[]): unknown {
  const redactor = new SecretRedactor(secrets);
  if (!(error instanceof Error) || !redactor.active) return error;
  const message = redactor.text(error.message);
  const copy = isCnfError(error)
    ? retold(error, message, { hint: error.hint === undefined ? null : redactor.text(error.hint) })
    : new Error(message);
  copy.name = error.name;
  copy.stack = redactor.text(String(error.stack));
  return copy;
}

/**
 * An SDK error whose own message and stack are told without `texts`: the
 * CLI's error made from it then reads `[redacted]` where AWS quoted one of
 * them, and keeps its own words (a function's name, a run id) whole, even
 * where one of `texts` is a common word. Everything else the CLI reads of
 * it (its name, HTTP status, fault, code) is kept. `error` itself is left
 * as it is.
 *
 * @example
 * catch (error) { throw translateAwsError(sdkErrorWithout(error, argTexts), call) }
 */
function sdkErrorWithout(error: unknown, texts: readonly string[]): unknown {
  const redactor = new SecretRedactor(texts);
  if (!(error instanceof Error) || !redactor.active) return error;
  const copy = Object.create(Object.getPrototypeOf(error) as object, Object.getOwnPropertyDescriptors(error)) as Error;
  copy.message = redactor.text(error.message);
  copy.stack = redactor.text(String(error.stack));
  return copy;
}

export { sdkErrorWithout, withoutSecrets };
