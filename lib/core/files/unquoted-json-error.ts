/**
 * What is wrong with a JSON text that holds secure values, without the
 * parser's own words: those quote a piece of the text (`Unexpected token
 * 'N', "…"value": NewDash"…" is not valid JSON`), which may be a secret,
 * and no mask can find a piece of one. Where the parser named a position,
 * the line and column say where to look; where it named none, `locate`
 * finds one (kept out of the runtime, whose bundles it would grow).
 *
 * @example
 * unquotedJsonError(text, error); // 'not valid JSON at line 12, column 17 (what the parser quoted is left out: it may be a secure value)'
 */
function unquotedJsonError(text: string, error: unknown, locate?: (text: string) => number | undefined): string {
  // An empty file (a write cut short, a truncation): said as such, not as a fault at its first character.
  if (text.trim() === '') return 'empty: it holds no JSON at all';
  // V8 names no position for an unexpected token ('garbage'): `locate`, where given, finds it (the CLI's jsonFaultOffset).
  const position = /\bat position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1] ?? locate?.(text);
  const left = '(what the parser quoted is left out: it may be a secure value)';
  if (position === undefined) return `not valid JSON ${left}`;
  const before = text.slice(0, Number(position)).split('\n');
  return `not valid JSON at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1} ${left}`;
}

export { unquotedJsonError };
