/**
 * The `cnf-admin` launcher and `NODE_EXTRA_CA_CERTS`: run as a program, as
 * npm links it, it starts Node without reading the certificates (Node 20
 * reads them at every start, tens of milliseconds), puts the variable back
 * for every process the CLI starts, and the CLI's connections to AWS trust
 * those certificates as Node would have.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BIN, finished, shellEnvironment, type CliResult } from '../support/cli.js';
import { FIXTURE_ROOT } from '../support/aws-platform.js';
import { withoutAwsSettings } from '../support/aws-cli.js';
import { healthyScenario } from '../support/aws-scenario.js';
import { fakeAwsSettings, startFakeAws, type FakeAws } from '../support/fake-aws-server.js';
import { makeTestCertificate, type TestCertificate } from '../support/test-certificate.js';

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cnf-launcher-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function certificate(): TestCertificate {
  const made = makeTestCertificate();
  cleanups.push(() => made.remove());
  return made;
}

async function httpsAws(served: TestCertificate): Promise<FakeAws> {
  const server = await startFakeAws(healthyScenario(), { tls: { key: served.key, cert: served.cert } });
  cleanups.push(() => server.close());
  return server;
}

/** Runs `cnf-admin` as a shell runs it: the file itself, as a program. */
function launched(args: readonly string[], env: NodeJS.ProcessEnv, cwd = FIXTURE_ROOT): Promise<CliResult> {
  const child = spawn(CLI_BIN, args, { cwd, env: shellEnvironment(env), stdio: 'pipe' });
  child.stdin.end();
  return finished(child);
}

/** Runs it with `node bin/cnf-admin.cjs`, where no shell line runs. */
function underNode(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: FIXTURE_ROOT, env: shellEnvironment(env), stdio: 'pipe' });
  child.stdin.end();
  return finished(child);
}

/** The environment of a `status` on the fixture's prod stage against `server`, with `NODE_EXTRA_CA_CERTS` as given. */
function awsEnvironment(server: FakeAws, extraCaCertificates: string): NodeJS.ProcessEnv {
  return { ...withoutAwsSettings(), ...fakeAwsSettings(server.url), NODE_EXTRA_CA_CERTS: extraCaCertificates };
}

describe('the cnf-admin launcher and NODE_EXTRA_CA_CERTS', () => {
  it('starts Node without reading the file, where Node run on the file itself reads it at its start', async () => {
    const missing = join(scratchDir(), 'missing.pem');
    const viaLauncher = await launched(['--version'], { NODE_EXTRA_CA_CERTS: missing });
    expect(viaLauncher).toMatchObject({ code: 0, stderr: '' });
    expect(viaLauncher.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const viaNode = await underNode(['--version'], { NODE_EXTRA_CA_CERTS: missing });
    expect(viaNode.code).toBe(0);
    expect(viaNode.stderr).toContain(`Ignoring extra certs from \`${missing}\``);
  });

  it('lets Node read the file for cdk-app, whose CDK code may open connections of its own, and where NODE_OPTIONS picks the store', async () => {
    const missing = join(scratchDir(), 'missing.pem');
    const nodeRead = `Ignoring extra certs from \`${missing}\``;
    // Outside a project: cdk-app says so (64), after Node started as it always does.
    const cdkApp = await launched(['cdk-app', 'bin/cdk-app.ts'], { NODE_EXTRA_CA_CERTS: missing }, scratchDir());
    expect(cdkApp.code).toBe(64);
    expect(cdkApp.stderr).toContain(nodeRead);
    const storeChosen = await launched(['--version'], { NODE_EXTRA_CA_CERTS: missing, NODE_OPTIONS: '--use-openssl-ca' });
    expect(storeChosen.code).toBe(0);
    expect(storeChosen.stderr).toContain(nodeRead);
    const systemStore = await launched(['--version'], { NODE_EXTRA_CA_CERTS: missing, NODE_USE_SYSTEM_CA: '1' });
    expect(systemStore.code).toBe(0);
    expect(systemStore.stderr).toContain(nodeRead);
  });

  it('puts the variable back, as it was, before the CLI runs anything', async () => {
    const dir = scratchDir();
    const seen = join(dir, 'seen.json');
    const preload = join(dir, 'preload.mjs');
    // Loaded by Node before the launcher's code: what Node started with, and what the process holds at its end.
    writeFileSync(
      preload,
      `import { writeFileSync } from 'node:fs';
const atStart = process.env.NODE_EXTRA_CA_CERTS;
process.on('exit', () => writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ atStart, atEnd: process.env.NODE_EXTRA_CA_CERTS, marker: process.env.CNF_ADMIN_DEFERRED_CA_CERTS ?? null })));
`,
    );
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, certificate().cert);
    const result = await launched(['--version'], { NODE_EXTRA_CA_CERTS: bundle, NODE_OPTIONS: `--import=${preload}` });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(readFileSync(seen, 'utf8'))).toEqual({ atStart: '', atEnd: bundle, marker: null });
  });

  it('trusts the certificates the file names on its connections to AWS', async () => {
    const served = certificate();
    const server = await httpsAws(served);
    const result = await launched(['status', '--stage', 'prod'], awsEnvironment(server, served.certFile));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(server.requests.map((request) => request.operation)).toContain('GetAlias');
  });

  it('trusts no certificate the file does not name: an AWS endpoint with another one is refused', async () => {
    const server = await httpsAws(certificate());
    const other = certificate();
    const result = await launched(['status', '--stage', 'prod'], awsEnvironment(server, other.certFile));
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('showed a certificate this machine does not accept (self-signed certificate)');
    expect(result.stderr).toContain("Name your network's CA certificates (a PEM file) in NODE_EXTRA_CA_CERTS");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(server.requests).toEqual([]);
  });

  it('says, as Node would, that a file it cannot read is ignored, once the CLI calls AWS', async () => {
    const served = certificate();
    const server = await httpsAws(served);
    const missing = join(scratchDir(), 'missing.pem');
    const result = await launched(['status', '--stage', 'prod'], awsEnvironment(server, missing));
    expect(result.code).toBe(69);
    expect(result.stderr).toContain(`Warning: Ignoring extra certs from \`${missing}\`, load failed`);
    expect(result.stderr.split(`Ignoring extra certs from`)).toHaveLength(2);
    expect(result.stderr).toContain('showed a certificate this machine does not accept');
  });
});
