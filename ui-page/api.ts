/** The session token: from the page's address, sent as a header on every API call. */
const token = new URLSearchParams(location.search).get('token') ?? '';

/** A field of a form that a refusal is about, and what is wrong with it. */
interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

/** An API answer that is not 2xx: its status, the server's one-line reason and the fields it names (a refusal of args). */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: readonly FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** How to get a server back, as the session names it: `cnf-admin ui --stage dev` (`npx cnf-admin …` under npx). */
let restartCommand = 'cnf-admin ui';

/** Names the command that starts this page's server again, for the message shown when it stops answering. */
function rememberRestartCommand(command: string): void {
  restartCommand = command;
}

/** The server did not answer at all (it stopped, or the network did): a refusal of the page's own, never the browser's raw "Failed to fetch". */
function unreachable(): ApiError {
  return new ApiError(
    0,
    `cnf-admin ui is not answering: it may have stopped. Start it again with ${restartCommand}, then open the address it prints (this page's address holds the old session's token).`,
  );
}

/** A fetch whose network failure reads as {@link unreachable}; an abort the page asked for stays an abort. */
async function request(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch (error) {
    throw init.signal?.aborted === true ? error : unreachable();
  }
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json()) as T & { error?: string; hint?: string; fields?: FieldProblem[] };
  // A refusal says what to do too, as the CLI's second line does.
  const said = body.error === undefined ? `HTTP ${response.status}` : body.hint === undefined ? body.error : `${body.error} ${body.hint}`;
  if (!response.ok) throw new ApiError(response.status, said, body.fields);
  return body;
}

/** GETs an API document. */
async function get<T>(path: string): Promise<T> {
  return answer<T>(await request(path, { headers: { 'x-cnf-token': token } }));
}

/** POSTs a JSON body. */
async function post<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(
    await request(path, {
      method: 'POST',
      headers: { 'x-cnf-token': token, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

/** How many values of a stream are handled before the page gets a turn (to draw, to take a click). */
const YIELD_EVERY = 2_000;

/** Reads an NDJSON stream, one parsed value per line, until it ends or `signal` fires. */
async function stream(path: string, onValue: (value: unknown) => void, signal: AbortSignal): Promise<void> {
  const response = await request(path, { headers: { 'x-cnf-token': token }, signal });
  if (!response.ok || response.body === null) {
    await answer(response);
    return;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  for (;;) {
    // A server that stops mid-stream breaks the read: the same message as a request it never answered.
    const { done, value } = await reader.read().catch((error: unknown) => {
      throw signal.aborted ? error : unreachable();
    });
    if (done) break;
    rest += value;
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (let index = 0; index < lines.length; index += 1) {
      const line = lines[index] as string;
      if (line !== '') onValue(JSON.parse(line));
      // A read of megabytes holds many thousands of values: the page gets a turn between each few thousand of them.
      if (index % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
}

/** A page address with the token kept in it. */
function href(path: string, params: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams({ token });
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, value);
  return `${path}?${query.toString()}`;
}

export { ApiError, get, href, post, rememberRestartCommand, stream };
export type { FieldProblem };
