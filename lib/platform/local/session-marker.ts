/**
 * The marker a console session's process writes on stdout: after an
 * evaluation's output (`result`), or before the completions of a line
 * (`complete`, its JSON follows on the same line).
 *
 * The CLI redacts that output of every secure value before it reads it, so
 * the marker holds no word a secure value may be (`result`, `cnf:`): only
 * the session's random token and a letter, between NUL characters. A
 * secure value that was such a word turned the marker into
 * `\0cnf:<token>:[redacted]`, which the CLI never found: the console hung,
 * and printed the result's line.
 */
function sessionMarker(token: string, kind: 'result' | 'complete'): string {
  return `\0${token}\0${kind === 'result' ? 'R' : 'C'}\0`;
}

export { sessionMarker };
