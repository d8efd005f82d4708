/**
 * SSM holds none of some `name:version` selectors a config version names:
 * those parameter versions fell out of the 100 that SSM keeps of a
 * parameter, or went with their parameter when it was deleted.
 *
 * @example
 * throw new SelectorsGoneError(['/notes/prod/GREETING:3']); // "SSM no longer holds /notes/prod/GREETING:3"
 */
class SelectorsGoneError extends Error {
  /** The selectors SSM no longer holds. */
  readonly selectors: readonly string[];

  constructor(selectors: readonly string[]) {
    super(`SSM no longer holds ${selectors.join(', ')}`);
    this.name = 'SelectorsGoneError';
    this.selectors = selectors;
  }
}

export { SelectorsGoneError };
