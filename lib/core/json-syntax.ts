/**
 * What is wrong with text that `JSON.parse` refused, without the text: the
 * parser's message may quote a piece of it, and the piece may be a secret
 * typed in the wrong place, cut where no mask can find it.
 *
 * @example
 * jsonSyntaxProblem(new SyntaxError(`Unexpected token 's', "{"note": s3cr3t-V4l"... is not valid JSON`));
 * // "Unexpected token 's'"
 * jsonSyntaxProblem(new SyntaxError(`Unexpected token 'o', ..."{"note": tok-5ecr3t-"... is not valid JSON`));
 * // "Unexpected token 'o'"
 */
function jsonSyntaxProblem(error: unknown): string {
  return String((error as Error).message ?? error)
    .replace(/,\s*(?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '')
    .trim();
}

export { jsonSyntaxProblem };
