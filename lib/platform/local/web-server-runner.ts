/**
 * Serves a local release's web handler over HTTP, as API Gateway's HTTP API
 * would call it (payload format 2.0). The local platform spawns it for
 * `cnf-admin serve`.
 *
 * Usage: node local-web-server.mjs <host> <port>; the task root is
 * LAMBDA_TASK_ROOT. It reports `{"listening": url}`, `{"error": message}`,
 * `{"loadError": message}` (the web entry threw as it loaded) or
 * `{"noHandler": exports}` (it exports no `handler` function) as one JSON
 * line on file descriptor 3, and logs each request to stdout.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { provideNavigator } from './lambda-navigator.js';

type WebHandler = (event: APIGatewayProxyEventV2, context: unknown) => Promise<APIGatewayProxyStructuredResultV2 | string | object>;

const status = createWriteStream('', { fd: 3 });

function report(value: Record<string, string>): void {
  status.write(`${JSON.stringify(value)}\n`);
}

/** Reports why the server cannot start, and ends once the report is written. */
function fail(value: Record<string, string>): void {
  status.end(`${JSON.stringify(value)}\n`, () => process.exit(1));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function isTextual(contentType: string | undefined): boolean {
  return contentType === undefined || /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript))/.test(contentType);
}

/** The API Gateway HTTP API (2.0) event for a Node request. */
function toEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const now = new Date();
  const textual = isTextual(headers['content-type']);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search === '' ? {} : { queryStringParameters: Object.fromEntries(url.searchParams) }),
    ...(headers.cookie === undefined ? {} : { cookies: headers.cookie.split(/;\s*/) }),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length === 0 ? {} : { body: textual ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

/** Writes a handler's answer as API Gateway would: a structured result, or a bare value as JSON. */
function writeResponse(response: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string | object): number {
  const structured =
    typeof result === 'object' && result !== null && 'statusCode' in result ? (result as APIGatewayProxyStructuredResultV2) : undefined;
  if (structured === undefined) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(typeof result === 'string' ? result : JSON.stringify(result));
    return 200;
  }
  const statusCode = structured.statusCode ?? 200;
  const headers: Record<string, string | number | boolean | string[]> = { ...structured.headers };
  if (structured.cookies !== undefined) headers['set-cookie'] = structured.cookies;
  response.writeHead(statusCode, headers as Record<string, string>);
  const body = structured.body ?? '';
  response.end(structured.isBase64Encoded === true ? Buffer.from(body, 'base64') : body);
  return statusCode;
}

/** Writes one ERROR log line, as the run's logger writes one, with `error`'s name, message and stack. */
function logError(message: string, error: unknown): void {
  // What was thrown may be no Error at all (`throw 'text'`, `throw null`): then it is the message.
  const { name, message: said, stack } = error instanceof Error ? error : { name: typeof error, message: String(error), stack: undefined };
  console.error(JSON.stringify({ level: 'ERROR', message, timestamp: new Date().toISOString(), error: { name, message: said, stack } }));
}

async function main(): Promise<void> {
  const [host, port] = process.argv.slice(2);
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (host === undefined || port === undefined || taskRoot === undefined)
    throw new Error('usage: local-web-server.mjs <host> <port> (with LAMBDA_TASK_ROOT)');
  // Before the release's code loads: it finds the globals Lambda's Node has.
  provideNavigator();
  // An exception nothing catches (a timer's, a rejection nothing handles) ends the process, as it ends a Lambda
  // environment: in one log line with the error, not Node's report (which quotes the line of the bundle it came from).
  process.on('uncaughtException', (error: unknown) => {
    logError('Uncaught exception: the web handler’s process ends', error);
    process.exit(1);
  });
  let entry: Record<string, unknown>;
  try {
    entry = (await import(pathToFileURL(join(taskRoot, 'web.mjs')).href)) as Record<string, unknown>;
  } catch (error) {
    // The web entry threw as it loaded: its own fault, not the address's.
    const { name, message } = error instanceof Error ? error : { name: typeof error, message: String(error) };
    return fail({ loadError: name === 'Error' ? message : `${name}: ${message}` });
  }
  // Lambda calls the export named handler: without one, every request would fail the same way.
  if (typeof entry.handler !== 'function') return fail({ noHandler: Object.keys(entry).join(', ') });
  const handler = entry.handler as WebHandler;
  const server = createServer((request, response) => {
    const started = Date.now();
    readBody(request)
      .then((body) => handler(toEvent(request, body), { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 30_000 }))
      .then((result) => writeResponse(response, result))
      .catch((error: unknown) => {
        logError('The web handler threw', error);
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'Internal Server Error' }));
        return 502;
      })
      .then((statusCode) => {
        console.log(
          JSON.stringify({
            level: 'INFO',
            message: `${request.method} ${request.url} ${statusCode} ${Date.now() - started} ms`,
            timestamp: new Date().toISOString(),
          }),
        );
      });
  });
  server.once('error', (error) => {
    report({ error: (error as Error).message });
    process.exit(1);
  });
  server.listen(Number(port), host, () => {
    const address = server.address();
    const actualPort = typeof address === 'object' && address !== null ? address.port : Number(port);
    report({ listening: `http://${host}:${actualPort}` });
  });
  const stop = (): void => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  report({ error: (error as Error).message });
  console.error(error);
  process.exit(1);
});
