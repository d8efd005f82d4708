/**
 * Quotes a word for a POSIX shell, as a command line the CLI prints to be
 * pasted: as is when safe, else in single quotes.
 *
 * @example
 * shellWord('r-0123456789ab'); // 'r-0123456789ab'
 * shellWord('500s after deploy'); // "'500s after deploy'"
 */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export { shellWord };
