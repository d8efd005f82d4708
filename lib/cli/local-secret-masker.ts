/**
 * A mask of the local stage's secure values for text the user typed (a key,
 * a stage, a run id, a script's path), read from the project at `cwd`: what
 * the CLI prints back of such text never shows one. The parameter set and
 * the redactor load only when it is asked for (an error to report), not at
 * every command's start.
 *
 * @example
 * const mask = await localSecretMasker(io.cwd);
 * writeLine(io.stderr, mask(`unknown command '${typed}'`));
 */
async function localSecretMasker(cwd: string): Promise<(text: string) => string> {
  const [{ localSecureValues }, { SecretRedactor }] = await Promise.all([
    import('../platform/local-early.js'),
    import('../runtime/redact-secrets.js'),
  ]);
  const redactor = new SecretRedactor(await localSecureValues(cwd));
  return (text) => redactor.text(text);
}

export { localSecretMasker };
