import { randomBytes } from 'node:crypto';
import type { SecretRedactor } from '../../runtime/redact-secrets.js';

/**
 * The marker a console session's process writes on stdout: after an
 * evaluation's output (`result`), or before the completions of a line
 * (`complete`, its JSON follows on the same line).
 *
 * The CLI redacts that output of every secure value before it reads it, so
 * the marker holds no word a secure value may be (`result`, `cnf:`): only
 * the session's random token ({@link sessionToken}) and a letter, between
 * NUL characters. A secure value that was such a word turned the marker
 * into `\0cnf:<token>:[redacted]`, which the CLI never found: the console
 * hung, and printed the result's line.
 */
function sessionMarker(token: string, kind: 'result' | 'complete'): string {
  return `\0${token}\0${kind === 'result' ? 'R' : 'C'}\0`;
}

/**
 * A console session's random token, drawn again until the stage's secure
 * values leave both of its markers as they are: a value of four hex digits
 * or more (a PIN) could otherwise be found inside one, and redacted there.
 */
function sessionToken(redactor: SecretRedactor): string {
  for (;;) {
    const token = randomBytes(8).toString('hex');
    const kept = (['result', 'complete'] as const).every(
      (kind) => redactor.text(sessionMarker(token, kind)) === sessionMarker(token, kind),
    );
    if (kept) return token;
  }
}

export { sessionMarker, sessionToken };
