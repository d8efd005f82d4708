import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/** The header the page's script sends the session token in, on every API request. */
const TOKEN_HEADER = 'x-cnf-token';

/** The query parameter that carries the session token in a page's address (documents and assets). */
const TOKEN_PARAMETER = 'token';

/** A new random session token: 32 bytes, base64url. */
function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What a guard lets through: the served origins and the token of this start. */
interface GuardSettings {
  readonly token: string;
  /** Every `Host` header value that names this server, e.g. `127.0.0.1:8233` and `localhost:8233`. */
  readonly hosts: ReadonlySet<string>;
  /** Every origin the page is served from, e.g. `http://127.0.0.1:8233`. */
  readonly origins: ReadonlySet<string>;
}

/** Why a request was turned away: the status and a one-line reason. */
interface Rejection {
  readonly status: number;
  readonly message: string;
}

/* The names of this machine's loopback interface: a page served on one of them is reached by all of them. */
const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** Whether `host` is this machine's loopback interface, which nothing outside it reaches. */
function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.includes(host.toLowerCase());
}

/** Whether `host` listens on every interface (`0.0.0.0`, `::`). */
function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** This machine's own addresses, on every interface. */
function machineAddresses(): NetworkInterfaceInfo[] {
  return Object.values(networkInterfaces()).flatMap((addresses) => addresses ?? []);
}

/**
 * The served hosts and origins of a server listening on `host:port`: the
 * host itself; every loopback name, when it is one; and, listening on every
 * interface, the machine's name and each of its addresses. Any other name
 * (one a DNS-rebinding page points at this machine) is not served.
 */
function servedAddresses(host: string, port: number): { hosts: Set<string>; origins: Set<string> } {
  const names = new Set([host.toLowerCase()]);
  if (isLoopbackHost(host) || isWildcardHost(host)) for (const name of LOOPBACK_NAMES) names.add(name);
  if (isWildcardHost(host))
    for (const name of [hostname().toLowerCase(), ...machineAddresses().map(({ address }) => address)]) names.add(name);
  const hosts = new Set([...names].map((name) => `${name.includes(':') ? `[${name}]` : name}:${port}`));
  return { hosts, origins: new Set([...hosts].map((entry) => `http://${entry}`)) };
}

/**
 * The host a server listening on `host` prints in its address: on every
 * interface, the machine's first outside IPv4 address (else loopback).
 */
function shownHost(host: string): string {
  if (!isWildcardHost(host)) return host.includes(':') ? `[${host}]` : host;
  const outside = machineAddresses().find((address) => address.family === 'IPv4' && !address.internal);
  return outside?.address ?? '127.0.0.1';
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks one request against the rules of the `ui` page, before any route
 * sees it:
 *
 * - its `Host` must name this server (a DNS-rebound name does not);
 * - an `Origin`, when sent, must be the served origin; an API call that the
 *   browser marks as cross-site (`Sec-Fetch-Site`) is refused too;
 * - the session token must come along: in the `x-cnf-token` header for the
 *   API (a link or form of another page cannot set it), in the address for
 *   documents and assets;
 * - the API reads with GET and writes with POST and a JSON body only.
 *
 * @returns undefined when the request may proceed.
 */
function checkRequest(request: IncomingMessage, url: URL, settings: GuardSettings): Rejection | undefined {
  const host = request.headers.host;
  if (host === undefined || !settings.hosts.has(host.toLowerCase()))
    return { status: 421, message: 'This server does not serve that host.' };
  const origin = request.headers.origin;
  if (origin !== undefined && !settings.origins.has(origin)) return { status: 403, message: 'Requests from other origins are refused.' };
  const api = url.pathname.startsWith('/api/');
  if (!api) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return { status: 405, message: 'Pages are read with GET.' };
    if (!sameToken(url.searchParams.get(TOKEN_PARAMETER) ?? undefined, settings.token))
      return { status: 401, message: 'Open the address that cnf-admin ui printed: it carries this session’s token.' };
    return undefined;
  }
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return { status: 403, message: 'Cross-site requests are refused.' };
  const header = request.headers[TOKEN_HEADER];
  if (!sameToken(typeof header === 'string' ? header : undefined, settings.token))
    return {
      status: 401,
      // A page left open from an earlier start of cnf-admin ui sends that start's token.
      message:
        typeof header === 'string'
          ? 'This page belongs to an earlier start of cnf-admin ui: open the address it printed when it started last.'
          : `Every API request needs this session's token in the ${TOKEN_HEADER} header.`,
    };
  if (request.method === 'GET') return undefined;
  if (request.method !== 'POST') return { status: 405, message: 'The API reads with GET and writes with POST.' };
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return { status: 415, message: 'Writes take a JSON body (Content-Type: application/json).' };
  return undefined;
}

/**
 * The headers of every response: a Content-Security-Policy that runs only
 * the page's own script file (no inline script, no other origin), no
 * framing, no referrer that would carry the token away, and no caching
 * (but see {@link ASSET_CACHING}).
 * No `Access-Control-*` header is ever sent: there is no CORS.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/**
 * The one exception to "no caching": the page's script and styles, which
 * hold no data, only the package's code. Their address carries the token of
 * this start, a new one at every start, and this server serves them
 * unchanged while it runs: a copy the browser keeps can never go stale, and
 * each load of a page skips fetching and compiling them again.
 */
const ASSET_CACHING: Readonly<Record<string, string>> = { 'cache-control': 'private, max-age=86400, immutable' };

export {
  ASSET_CACHING,
  checkRequest,
  isLoopbackHost,
  newSessionToken,
  SECURITY_HEADERS,
  servedAddresses,
  shownHost,
  TOKEN_HEADER,
  TOKEN_PARAMETER,
};
export type { GuardSettings, Rejection };
