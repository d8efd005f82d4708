import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkRequest, isLoopbackHost, newSessionToken, SECURITY_HEADERS, servedAddresses } from '../../../lib/cli/ui/request-guard.js';

/** This machine's addresses, IPv6 ones in brackets as a Host header writes them. */
function machineAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .map((address) => (address.address.includes(':') ? `[${address.address}]` : address.address));
}

const token = newSessionToken();
const settings = { token, ...servedAddresses('127.0.0.1', 8233) };

function request(path: string, method: string, headers: Record<string, string>): { request: IncomingMessage; url: URL } {
  return {
    request: { method, headers: { host: '127.0.0.1:8233', ...headers } } as unknown as IncomingMessage,
    url: new URL(path, 'http://x'),
  };
}

const check = (path: string, method = 'GET', headers: Record<string, string> = {}) => {
  const given = request(path, method, headers);
  return checkRequest(given.request, given.url, settings)?.status;
};

describe('checkRequest', () => {
  it('lets the page through with the token in its address, and the API with the token header', () => {
    expect(check(`/runs?token=${token}`)).toBeUndefined();
    expect(check('/api/runs', 'GET', { 'x-cnf-token': token, 'sec-fetch-site': 'same-origin' })).toBeUndefined();
    expect(
      check('/api/runs', 'POST', {
        'x-cnf-token': token,
        'content-type': 'application/json; charset=utf-8',
        origin: 'http://127.0.0.1:8233',
      }),
    ).toBeUndefined();
    expect(check('/api/runs', 'GET', { 'x-cnf-token': token, host: 'localhost:8233' })).toBeUndefined();
  });

  it('turns away a missing, wrong or misplaced token', () => {
    expect(check('/runs')).toBe(401);
    expect(check(`/runs?token=${token}x`)).toBe(401);
    expect(check(`/api/runs?token=${token}`)).toBe(401);
    expect(check('/api/runs', 'GET', { 'x-cnf-token': token.slice(1) })).toBe(401);
  });

  it('turns away another host (DNS rebinding), another origin and a cross-site fetch', () => {
    expect(check(`/runs?token=${token}`, 'GET', { host: 'rebound.example:8233' })).toBe(421);
    expect(check(`/runs?token=${token}`, 'GET', { host: '127.0.0.1:8234' })).toBe(421);
    expect(check('/api/runs', 'GET', { 'x-cnf-token': token, origin: 'http://localhost:9999' })).toBe(403);
    expect(check('/api/runs', 'GET', { 'x-cnf-token': token, 'sec-fetch-site': 'same-site' })).toBe(403);
  });

  it('serves, listening on every interface, the machine by its loopback names, its name and its addresses, and no other', () => {
    const everywhere = servedAddresses('0.0.0.0', 8233);
    for (const name of ['127.0.0.1', 'localhost', '[::1]', hostname().toLowerCase(), ...machineAddresses()])
      expect(everywhere.hosts, name).toContain(`${name}:8233`);
    expect(everywhere.hosts).not.toContain('rebound.example:8233');
    expect(everywhere.origins).toContain('http://localhost:8233');
  });

  it('serves one loopback name by all of them, and another address by itself alone', () => {
    expect([...servedAddresses('localhost', 8233).hosts].sort()).toEqual(['127.0.0.1:8233', '[::1]:8233', 'localhost:8233']);
    expect([...servedAddresses('192.0.2.7', 8233).hosts]).toEqual(['192.0.2.7:8233']);
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
  });

  it('takes writes as POST with JSON only', () => {
    expect(check('/api/runs', 'POST', { 'x-cnf-token': token, 'content-type': 'text/plain' })).toBe(415);
    expect(check('/api/runs', 'POST', { 'x-cnf-token': token })).toBe(415);
    expect(check('/api/runs', 'PUT', { 'x-cnf-token': token, 'content-type': 'application/json' })).toBe(405);
    expect(check(`/runs?token=${token}`, 'POST')).toBe(405);
  });

  it('makes a new token each time, and sends no CORS header', () => {
    expect(newSessionToken()).not.toBe(newSessionToken());
    expect(newSessionToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.keys(SECURITY_HEADERS).filter((name) => name.startsWith('access-control'))).toEqual([]);
  });
});
