/**
 * An AWS endpoint that is not AWS, through the real binary: a proxy or
 * captive portal answering 200 with an HTML page is 69 (unavailable), not a
 * crash; an endpoint that takes the connection and never answers ends in a
 * request timeout with a clear message, not a silent wait; one that drops
 * the connection is said to have dropped it, not to be slow.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeAwsEnvironment } from '../support/aws-cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

let project: TestProject;
let server: Server | undefined;
const sockets = new Set<Socket>();

beforeAll(() => {
  project = createTestProject('tasks');
});

afterAll(async () => {
  await project.cleanup();
});

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** Starts an endpoint that answers every request with `answer`, and resolves to its URL. */
async function endpoint(answer: (respond: (status: number, body: string) => void) => void): Promise<string> {
  server = createServer((_request, response) =>
    answer((status, body) => {
      response.writeHead(status, { 'content-type': 'text/html' });
      response.end(body);
    }),
  );
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('an endpoint that is not AWS', () => {
  it('an HTML page with 200 (a captive portal): 69, saying something else answered', async () => {
    const url = await endpoint((respond) => respond(200, '<html><body>Please sign in to the Wi-Fi</body></html>'));
    const result = await project.cli(['status', '--stage', 'prod'], { env: fakeAwsEnvironment(url) });
    expect(result.stderr).toContain("is not AWS's (HTTP 200");
    expect(result.stderr).toContain('a proxy, a captive portal or a wrong endpoint answered');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).not.toContain('failed unexpectedly');
    expect(result.code).toBe(69);
  });

  it('no answer at all: a request timeout naming the variable that sets it, in seconds, not minutes', async () => {
    const url = await endpoint(() => undefined);
    const started = Date.now();
    const result = await project.cli(['status', '--stage', 'prod'], { env: fakeAwsEnvironment(url, { CNF_AWS_TIMEOUT_SECONDS: '0.5' }) });
    const seconds = (Date.now() - started) / 1000;
    expect(result.stderr).toContain('AWS did not answer');
    expect(result.stderr).toContain('CNF_AWS_TIMEOUT_SECONDS sets how long to wait');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.code).toBe(69);
    // three attempts of half a second, with the SDK's backoff between them
    expect(seconds).toBeLessThan(15);
  });

  it('a connection dropped after the request was sent (a reset): 69, saying it was dropped, not that AWS was slow', async () => {
    const url = await endpoint(() => undefined);
    server?.on('request', (request: IncomingMessage) => request.socket.destroy());
    const result = await project.cli(['status', '--stage', 'prod'], { env: fakeAwsEnvironment(url) });
    expect(result.stderr).toContain('The connection to AWS was dropped during ssm:GetParameter');
    expect(result.stderr).toContain('(socket hang up)');
    expect(result.stderr).not.toContain('in time');
    expect(result.stderr).toContain('Check the network, and AWS_ENDPOINT_URL if you set one.');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.code).toBe(69);
  });

  it('a timeout that is no number: 64', async () => {
    const url = await endpoint((respond) => respond(200, '{}'));
    const result = await project.cli(['status', '--stage', 'prod'], { env: fakeAwsEnvironment(url, { CNF_AWS_TIMEOUT_SECONDS: 'soon' }) });
    expect(result.stderr).toContain('CNF_AWS_TIMEOUT_SECONDS takes a number of seconds above 0, got: "soon"');
    expect(result.code).toBe(64);
  });
});
