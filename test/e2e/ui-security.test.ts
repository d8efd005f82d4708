/**
 * Every rule that keeps the `cnf-admin ui` page from being an open door,
 * each tried by a request that would break it: no token, the token where
 * only the page's script may send it, a DNS-rebound Host, another origin
 * (by HTTP and from a real page in chromium), writes that are not JSON
 * POSTs, CORS, inline script, caching, and secure values.
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { startUi, type UiProcess } from '../support/ui-process.js';

const SECRET = 'hunter22-very-secret-value';

let project: TestProject;
let ui: UiProcess;
let echoRun = '';

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A raw request, with exactly the headers given (a browser's fetch would not let a test forge Host). */
function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const { port } = new URL(ui.origin);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: Number(port),
        path,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const withToken = (): Record<string, string> => ({ 'x-cnf-token': ui.token });
const json = (): Record<string, string> => ({ ...withToken(), 'content-type': 'application/json' });

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['config', 'set', 'API_TOKEN', '-', '--secure'], { input: `${SECRET}\n` })).code).toBe(0);
  const echo = await project.cli(['invoke', 'echo', '--args', JSON.stringify({ count: 1, label: `token ${SECRET}` }), '--json']);
  echoRun = (JSON.parse(echo.stdout) as { runId: string }).runId;
  await project.cli(['invoke', 'show-config']);
  ui = await startUi(project.dir);
});

afterAll(async () => {
  await ui?.stop();
  await project?.cleanup();
});

describe('the ui server turns away', () => {
  it('listens on 127.0.0.1 unless --host says otherwise', () => {
    expect(new URL(ui.url).hostname).toBe('127.0.0.1');
  });

  it('a page or an API call without the token', async () => {
    const page = await send('/runs');
    expect(page.status).toBe(401);
    // someone who typed the address reads why, as a page
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<h1>Open the address that cnf-admin ui printed: it carries this session’s token.</h1>');
    expect((await send('/assets/app.js')).status).toBe(401);
    expect((await send('/api/runs')).status).toBe(401);
    const stale = await send('/api/runs', { headers: { 'x-cnf-token': 'guessed' } });
    expect(stale.status).toBe(401);
    // what a page left open from an earlier start sends: it says what to do
    expect(stale.body).toContain(
      'This page belongs to an earlier start of cnf-admin ui: open the address it printed when it started last.',
    );
  });

  it('an address that is no page, as a page that says so and links to the runs (the address not quoted, no script)', async () => {
    const missing = await send(`/runs/${echoRun}/%3Cb%3Enope?token=${ui.token}`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(missing.body).toContain('<h1>No such page at this address.</h1>');
    expect(missing.body).not.toContain('nope');
    expect(missing.body).toContain(`<a href="/runs?token=${ui.token}">Go to the runs</a>`);
    expect(missing.body).not.toContain('<script');
    // an address that does not decode is no page either (its script would fail on it)
    const malformed = await send(`/runs/abc%E0?token=${ui.token}`);
    expect(malformed.status).toBe(404);
    expect(malformed.body).toContain('<h1>No such page at this address.</h1>');
    const api = await send('/api/nosuch', { headers: withToken() });
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body)).toEqual({ error: 'No such API.' });
  });

  it('an API call with the token in the address only (a link or an <img> of another page)', async () => {
    expect((await send(`/api/runs?token=${ui.token}`)).status).toBe(401);
    expect((await send(`/api/runs?token=${ui.token}`, { headers: { cookie: `token=${ui.token}` } })).status).toBe(401);
  });

  it('a DNS-rebound Host header, even with the token', async () => {
    const { port } = new URL(ui.origin);
    const rebound = await send(`/runs?token=${ui.token}`, { headers: { host: `attacker.example:${port}` } });
    expect(rebound.status).toBe(421);
    expect((await send('/api/runs', { headers: { ...withToken(), host: `attacker.example:${port}` } })).status).toBe(421);
    expect((await send('/api/runs', { headers: { ...withToken(), host: '127.0.0.1:1' } })).status).toBe(421);
  });

  it('another Origin, for reads and writes, and a cross-site fetch', async () => {
    expect((await send('/api/runs', { headers: { ...withToken(), origin: 'http://attacker.example' } })).status).toBe(403);
    const write = await send('/api/runs', {
      method: 'POST',
      headers: { ...json(), origin: 'http://127.0.0.1:1' },
      body: JSON.stringify({ task: 'noop' }),
    });
    expect(write.status).toBe(403);
    expect((await send('/api/runs', { headers: { ...withToken(), 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
  });

  it('writes that are not a POST with a JSON body', async () => {
    const form = await send('/api/runs', {
      method: 'POST',
      headers: { ...withToken(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'task=noop',
    });
    expect(form.status).toBe(415);
    expect(
      (await send('/api/runs', { method: 'POST', headers: { ...withToken(), 'content-type': 'text/plain' }, body: '{"task":"noop"}' }))
        .status,
    ).toBe(415);
    expect((await send('/api/runs/x/stop', { method: 'PUT', headers: json(), body: '{}' })).status).toBe(405);
    expect((await send('/api/runs', { method: 'DELETE', headers: withToken() })).status).toBe(405);
    expect((await send('/api/runs', { method: 'GET', headers: json() })).status).toBe(200);
    const runs = await project.cli(['runs', '--task', 'noop', '--json']);
    expect(JSON.parse(runs.stdout)).toEqual([]);
  });

  it("a malformed %-escape (400, no stack on the server's output) and cnf-admin's own tasks (400, no run id that names nothing)", async () => {
    const malformed = await send('/api/runs/%E0%A4%A', { headers: withToken() });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toContain('malformed %-escape');
    expect(ui.output()).not.toMatch(/URIError|\n\s+at /);
    for (const task of ['cnf:ping', 'cnf:describe']) {
      const started = await send('/api/runs', { method: 'POST', headers: json(), body: JSON.stringify({ task }) });
      expect(started.status).toBe(400);
      expect(started.body).toContain(`${task} is cnf-admin's own task`);
    }
  });

  it('a CORS preflight: no Access-Control header on any answer', async () => {
    const preflight = await send('/api/runs', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://attacker.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-cnf-token',
      },
    });
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    for (const answer of [preflight, await send('/api/runs', { headers: withToken() }), await send(`/runs?token=${ui.token}`)]) {
      expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('inline script: the CSP allows only the page’s own script file, and the page has none inline', async () => {
    const shell = await send(`/runs?token=${ui.token}`);
    expect(shell.status).toBe(200);
    const csp = shell.headers['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(shell.body.match(/<script\b[^>]*>/g)).toEqual([`<script type="module" src="/assets/app.js?token=${ui.token}">`]);
    expect(shell.body).toMatch(/<script[^>]*><\/script>/);
  });

  it('a cached answer: the browser keeps no page or API answer, only the script and styles of this start', async () => {
    for (const answer of [await send(`/runs?token=${ui.token}`), await send('/api/runs', { headers: withToken() })])
      expect(answer.headers['cache-control']).toBe('no-store');
    for (const asset of ['app.js', 'app.css']) {
      const answer = await send(`/assets/${asset}?token=${ui.token}`);
      expect(answer.status).toBe(200);
      expect(answer.headers['cache-control']).toBe('private, max-age=86400, immutable');
    }
    expect((await send('/assets/app.js')).headers['cache-control']).toBe('no-store');
  });
});

describe('secure values', () => {
  it('never reach the page: not in the runs list, a run, its log, the tasks or the releases', async () => {
    const answers = await Promise.all(
      [
        '/api/runs',
        `/api/runs/${echoRun}`,
        `/api/runs/${echoRun}/log`,
        '/api/tasks',
        '/api/tasks/echo',
        '/api/releases',
        '/api/session',
      ].map((path) => send(path, { headers: withToken() })),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).not.toContain(SECRET);
    }
    expect(answers[1]?.body).toContain('token [redacted]');
    const showConfig = JSON.parse((await send('/api/runs?task=show-config', { headers: withToken() })).body) as {
      runs: { runId: string }[];
    };
    const log = await send(`/api/runs/${showConfig.runs[0]?.runId}/log`, { headers: withToken() });
    expect(log.body).toContain('API_TOKEN');
    expect(log.body).not.toContain(SECRET);
  });

  it('never come back in an error that quotes the request (typed as a run id, a filter, a page or a release)', async () => {
    const secret = encodeURIComponent(SECRET);
    const answers = await Promise.all(
      [
        `/api/runs/${secret}`,
        `/api/runs/${secret}/log`,
        `/api/tasks/${secret}`,
        `/api/runs?status=${secret}`,
        `/api/runs?page=${secret}`,
      ].map((path) => send(path, { headers: withToken() })),
    );
    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.body).not.toContain(SECRET);
    }
    expect(answers.some((answer) => answer.body.includes('[redacted]'))).toBe(true);
  });
});

describe('a page of another origin, in chromium', () => {
  let other: Server;
  let otherOrigin = '';

  beforeAll(async () => {
    other = createServer((_request, response) => response.end('<!doctype html><title>attacker</title>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://localhost:${(other.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => other.close(() => resolve())));

  it('cannot read the runs nor start a run, even knowing the token', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(otherOrigin);
      const outcome = (await page.evaluate(
        `(async () => {
          const tried = [];
          for (const init of [
            { headers: { 'x-cnf-token': ${JSON.stringify(ui.token)} } },
            { method: 'POST', headers: { 'x-cnf-token': ${JSON.stringify(ui.token)}, 'content-type': 'application/json' }, body: '{"task":"noop"}' },
            { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"task":"noop"}' },
          ]) {
            try {
              const response = await fetch(${JSON.stringify(`${ui.origin}/api/runs`)}, init);
              tried.push(response.type === 'opaque' ? 'opaque' : await response.text());
            } catch (error) {
              tried.push('blocked');
            }
          }
          return tried;
        })()`,
      )) as string[];
      // The first two need a preflight, which the server never answers with CORS; the third, if sent at all, cannot be read.
      expect(outcome.slice(0, 2)).toEqual(['blocked', 'blocked']);
      expect(outcome[2]).toMatch(/^(blocked|opaque)$/);
    } finally {
      await browser.close();
    }
    const runs = await project.cli(['runs', '--task', 'noop', '--json']);
    expect(JSON.parse(runs.stdout)).toEqual([]);
  });
});

describe('--host', () => {
  it('listens where it says, with a warning that others may reach it', async () => {
    const wide = await startUi(project.dir, ['--host', '0.0.0.0']);
    const result = await wide.stop();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Listening on 0.0.0.0, not only on this machine');
  });

  it('refuses a port that is not a number, and runs nothing', async () => {
    const result = await project.cli(['ui', '--port', 'eighty', '--no-open']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--port takes a port number 0-65535, got: "eighty"');
  });
});
