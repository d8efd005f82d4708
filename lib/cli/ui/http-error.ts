/**
 * A request the `ui` server answers with an HTTP status of its own (400 for
 * a malformed request, 404 for what does not exist), its message the body's
 * `error`.
 *
 * @example
 * throw new HttpError(404, 'No run "x" on stage local.');
 */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

export { HttpError };
