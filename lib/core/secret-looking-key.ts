/**
 * The arg names that hold a secret by their look (`password`, `token`,
 * `apiKey`, …): the ledger and the log keep `[redacted]` for their values,
 * and the ui's task form types them hidden, as it does a task's declared
 * `sensitiveArgs`.
 *
 * @example
 * isSecretLookingKey('apiKey'); // true
 */
function isSecretLookingKey(key: string): boolean {
  return /pass(word)?|secret|token|credential|private|api[-_]?key/i.test(key);
}

export { isSecretLookingKey };
