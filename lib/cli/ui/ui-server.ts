import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CnfError } from '../../core/errors.js';
import { fileSystemFault } from '../../core/file-system-fault.js';
import { HttpError } from './http-error.js';
import { RunRefusedError } from './run-launcher.js';
import type { PageAssets } from './page-assets.js';
import { ASSET_CACHING, checkRequest, SECURITY_HEADERS, servedAddresses, shownHost, TOKEN_PARAMETER } from './request-guard.js';
import { parseRunFilter } from './run-filter.js';
import type { UiApi } from './ui-api.js';
import { ExitCode } from '../../core/exit-codes.js';
import { isReleaseId } from '../../core/release.js';

/** The largest JSON body a write takes. */
const MAX_BODY_BYTES = 1024 * 1024;

/** A running `ui` server. */
interface UiServer {
  /** The address to open, with this start's token. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops serving: takes no new request, closes idle connections, and gives
   * the requests still answering (live tails) up to `graceMs` to end before
   * closing them too.
   */
  close(graceMs?: number): Promise<void>;
}

/** Options of {@link startUiServer}. */
interface UiServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly token: string;
  readonly api: UiApi;
  readonly assets: PageAssets;
  /** Told about failures the page could only show as a 500. */
  readonly report: (message: string) => void;
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Readonly<Record<string, string>> = {},
): void {
  response.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * A refused or missing page, as a page: someone who typed or followed an
 * address reads what went wrong and where to go, not raw JSON. `home` is the
 * runs list's address, with the token when the request carried the right one.
 */
function sendErrorPage(response: ServerResponse, status: number, message: string, home: string | undefined): void {
  const escaped = (text: string): string => text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
  const link = home === undefined ? '' : `<p><a href="${escaped(home)}">Go to the runs</a></p>`;
  send(
    response,
    status,
    'text/html; charset=utf-8',
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>cnf-admin ui: ${status}</title></head><body><h1>${escaped(message)}</h1>${link}</body></html>`,
  );
}

/** Whether an answer goes to a page (a document address) rather than to the page's script (the API). */
function isDocument(url: URL): boolean {
  return !url.pathname.startsWith('/api/');
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `A write takes at most ${MAX_BODY_BYTES} bytes of JSON.`);
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'The body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'The body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** Page addresses the script draws: the shell answers all of them. */
const PAGES = /^\/(?:runs(?:\/[^/]+)?|tasks(?:\/[^/]+)?|releases)?$/;

/**
 * Streams a run's log as NDJSON, one frame a line, until it ends or the
 * page goes away; `fetch` reads it with the token header (an EventSource could not send one).
 */
async function streamLog(api: UiApi, runId: string, follow: boolean, response: ServerResponse): Promise<void> {
  const gone = new AbortController();
  response.on('close', () => gone.abort());
  const frames = api.log(runId, follow, gone.signal)[Symbol.asyncIterator]();
  // The first frame (or a missing run's error) decides the status line.
  const first = await frames.next();
  response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/x-ndjson; charset=utf-8' });
  response.flushHeaders();
  try {
    for (let step = first; step.done !== true; step = await frames.next()) {
      if (gone.signal.aborted) break;
      response.write(`${JSON.stringify(step.value)}\n`);
    }
  } catch (error) {
    if (!gone.signal.aborted) response.write(`${JSON.stringify({ type: 'notice', text: (error as Error).message })}\n`);
  }
  response.end();
}

/** Whether a page's address decodes (`%E0` alone does not): one that does not is no page, rather than a page whose script fails. */
function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** One part of an API address, decoded; a malformed escape (`%E0%A4%A`) is the request's fault (400), never the server's. */
function decodedPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `The address has a malformed %-escape: ${JSON.stringify(part)}.`);
  }
}

async function route(options: UiServerOptions, url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { api, assets } = options;
  const path = url.pathname;
  if (isDocument(url)) {
    const asset = assets.asset(path);
    if (asset !== undefined) return send(response, 200, asset.type, asset.body, ASSET_CACHING);
    if (PAGES.test(path) && decodes(path)) return send(response, 200, 'text/html; charset=utf-8', assets.shell(options.token));
    // The address is not quoted back: a secure value typed into it would reach the page.
    return sendErrorPage(response, 404, 'No such page at this address.', `/runs?${TOKEN_PARAMETER}=${encodeURIComponent(options.token)}`);
  }
  const params = url.searchParams;
  const parts = path.split('/').slice(2).map(decodedPart);
  const post = request.method === 'POST';
  const body = post ? await readJson(request) : {};
  const [first, second, third] = parts;
  const page = (): number => {
    const value = Number(params.get('page') ?? '0');
    if (!Number.isInteger(value) || value < 0)
      throw new HttpError(400, `page takes a whole number, got: ${JSON.stringify(params.get('page'))}`);
    return value;
  };
  if (!post && first === 'session' && second === undefined) return sendJson(response, 200, await api.session());
  const at = (): string | undefined => {
    const text = params.get('at');
    if (text === null || text === '') return undefined;
    if (Number.isNaN(Date.parse(text))) throw new HttpError(400, `at takes an ISO 8601 time, got: ${JSON.stringify(text)}`);
    return new Date(text).toISOString();
  };
  if (!post && first === 'runs' && second === undefined)
    return sendJson(response, 200, await api.runs(parseRunFilter(params), page(), at()));
  if (!post && first === 'selection' && second === undefined) return sendJson(response, 200, await api.selection(parseRunFilter(params)));
  if (!post && first === 'runs' && second !== undefined && third === undefined) return sendJson(response, 200, await api.run(second));
  if (!post && first === 'runs' && second !== undefined && third === 'log')
    return streamLog(api, second, params.get('follow') === '1', response);
  if (!post && first === 'tasks' && second === undefined) return sendJson(response, 200, await api.tasks());
  if (!post && first === 'tasks' && second !== undefined) return sendJson(response, 200, await api.task(second));
  if (!post && first === 'releases' && second === undefined) return sendJson(response, 200, await api.releases());
  if (!post && first === 'releases' && isReleaseId(second) && third === 'plan')
    return sendJson(response, 200, await api.releasePlan(second));
  if (post && first === 'runs' && second === undefined) return sendJson(response, 201, await api.start(body));
  if (post && first === 'runs' && second !== undefined && third === 'rerun') return sendJson(response, 201, await api.rerun(second, body));
  if (post && first === 'runs' && second !== undefined && third === 'stop') return sendJson(response, 202, await api.stop(second));
  if (post && first === 'bulk' && second === undefined) return sendJson(response, 200, await api.bulk(body));
  throw new HttpError(post ? 405 : 404, post ? 'That address takes no writes.' : 'No such API.');
}

/** The status and body of the answer to a request that failed: the request's fault (4xx), or the server's (500, reported). */
function errorAnswer(thrown: unknown, report: (message: string) => void): [number, Record<string, unknown>] {
  // Damaged or unreadable state is said as the CLI says it (69, 77), not reported as the server's bug.
  const error = fileSystemFault(thrown);
  if (error instanceof HttpError) return [error.status, { error: error.message }];
  if (error instanceof CnfError && error.fault === 'user') {
    // A refusal of args names the fields it is about, for the form to mark.
    const fields = error instanceof RunRefusedError ? error.fields : [];
    return [
      error.exitCode === ExitCode.USAGE ? 400 : 409,
      {
        error: error.message,
        exitCode: error.exitCode,
        name: error.name,
        // What to do, as the CLI's second line says it.
        ...(error.hint === undefined ? {} : { hint: error.hint }),
        ...(fields.length === 0 ? {} : { fields }),
      },
    ];
  }
  report(`ui: ${(error as Error).stack ?? String(error)}`);
  return [500, { error: (error as Error).message }];
}

/**
 * Starts the `ui` server: Node's own http, every request checked by
 * `checkRequest` first, every response with the security headers.
 */
async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  let settings: Parameters<typeof checkRequest>[2] | undefined;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://ui.invalid');
    const rejection = settings === undefined ? { status: 503, message: 'Starting.' } : checkRequest(request, url, settings);
    if (rejection !== undefined) {
      request.resume();
      if (isDocument(url)) return sendErrorPage(response, rejection.status, rejection.message, undefined);
      return sendJson(response, rejection.status, { error: rejection.message });
    }
    route(options, url, request, response).catch(async (error: unknown) => {
      if (response.headersSent) return response.destroy();
      const [status, answer] = errorAnswer(error, options.report);
      // An error may quote what the request named (a secure value typed as a release, say): masked as every answer.
      const [sent, body] = await options.api.masked(answer).then(
        (masked): [number, unknown] => [status, masked],
        // A mask that cannot be read (a damaged parameter set) says so in its own words, which quote none of the file.
        (maskError: unknown): [number, unknown] =>
          maskError instanceof CnfError && maskError.fault === 'user'
            ? errorAnswer(maskError, options.report)
            : [status, { error: 'The answer could not be masked.' }],
      );
      return sendJson(response, sent, body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  settings = { token: options.token, ...servedAddresses(options.host, port) };
  return {
    url: `http://${shownHost(options.host)}:${port}/?${TOKEN_PARAMETER}=${encodeURIComponent(options.token)}`,
    port,
    close: (graceMs = 0) =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), graceMs).unref();
      }),
  };
}

export { startUiServer };
export type { UiServer, UiServerOptions };
