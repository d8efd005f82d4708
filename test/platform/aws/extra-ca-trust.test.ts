/**
 * What the CLI's AWS agent trusts where the launcher started Node without
 * reading `NODE_EXTRA_CA_CERTS`: Node's default store, as Node has it, and
 * the file's certificates, as if Node had read it. Each case runs in a Node
 * process of its own whose default store is OpenSSL's (`--use-openssl-ca`,
 * as Node's builds for Homebrew, Fedora and others have it), here a file
 * with a first test certificate (`SSL_CERT_FILE`), and a second one set
 * aside as the launcher sets the file aside.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestCertificate, type TestCertificate } from '../../support/test-certificate.js';

const DEFERRED = fileURLToPath(new URL('../../../lib/core/deferred-ca-certificates.ts', import.meta.url));
const TRUST = fileURLToPath(new URL('../../../lib/platform/aws/extra-ca-trust.ts', import.meta.url));

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function certificate(): TestCertificate {
  const made = makeTestCertificate();
  cleanups.push(() => made.remove());
  return made;
}

async function serving(served: TestCertificate): Promise<string> {
  const server: Server = createServer({ key: served.key, cert: served.cert }, (_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** What a Node whose default store is the file `store` says of each URL through the agent, after `deferred` was set aside. */
function outcomes(urls: readonly string[], store: string, deferred: string | undefined): Promise<{ outcomes: string[]; stderr: string }> {
  const script = `
import { Agent, get } from 'node:https';
import { deferCaCertificates } from ${JSON.stringify(DEFERRED)};
import { extraCaTrust } from ${JSON.stringify(TRUST)};
deferCaCertificates(${JSON.stringify(deferred)});
const agent = new Agent(extraCaTrust());
const outcomes = [];
for (const url of ${JSON.stringify(urls)}) {
  outcomes.push(await new Promise((resolve) => get(url, { agent }, (response) => { response.resume(); resolve('ok'); }).on('error', (error) => resolve(error.code ?? error.message))));
}
process.stdout.write(JSON.stringify(outcomes));
`;
  const { NODE_EXTRA_CA_CERTS: _none, ...env } = process.env;
  const child = spawn(process.execPath, ['--use-openssl-ca', '--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...env, SSL_CERT_FILE: store },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('close', (code) =>
      code === 0 ? resolve({ outcomes: JSON.parse(stdout) as string[], stderr }) : reject(new Error(`exit ${code}: ${stderr}`)),
    ),
  );
}

describe('extraCaTrust', () => {
  it("trusts Node's default store and the file's certificates both", async () => {
    const inStore = certificate();
    const setAside = certificate();
    const urls = [await serving(inStore), await serving(setAside)];
    expect((await outcomes(urls, inStore.certFile, setAside.certFile)).outcomes).toEqual(['ok', 'ok']);
  });

  it('adds nothing where no file was set aside: the set-aside certificate alone is refused', async () => {
    const inStore = certificate();
    const setAside = certificate();
    const urls = [await serving(inStore), await serving(setAside)];
    expect((await outcomes(urls, inStore.certFile, undefined)).outcomes).toEqual(['ok', 'DEPTH_ZERO_SELF_SIGNED_CERT']);
  });

  it('warns of a file it cannot read, and keeps the default store', async () => {
    const inStore = certificate();
    const urls = [await serving(inStore)];
    const result = await outcomes(urls, inStore.certFile, '/nonexistent/extra.pem');
    expect(result.outcomes).toEqual(['ok']);
    expect(result.stderr).toContain('Ignoring extra certs from `/nonexistent/extra.pem`, load failed: ENOENT');
  });
});
