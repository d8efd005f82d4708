/**
 * A self-signed certificate for 127.0.0.1, made with the system's `openssl`
 * for one test and deleted after it: what a fake AWS serves HTTPS with, and
 * what `NODE_EXTRA_CA_CERTS` names for the client to trust it. Never a file
 * of the repository.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key and its certificate, in PEM and in files. */
interface TestCertificate {
  readonly key: string;
  readonly cert: string;
  /** The certificate's file: what `NODE_EXTRA_CA_CERTS` names. */
  readonly certFile: string;
  /** Deletes the files. */
  remove(): void;
}

/**
 * Makes a key and a self-signed certificate for the address 127.0.0.1, valid for a day.
 *
 * @throws Error with openssl's output when it fails (or is not installed): the tests that need one never pass without it.
 */
function makeTestCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'cnf-test-certificate-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=cnf-admin test',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl could not make a test certificate (${made.error?.message ?? `exit ${made.status}`}): ${made.stderr}`);
  }
  return {
    key: readFileSync(keyFile, 'utf8'),
    cert: readFileSync(certFile, 'utf8'),
    certFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export { makeTestCertificate };
export type { TestCertificate };
