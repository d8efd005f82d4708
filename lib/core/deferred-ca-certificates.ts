/**
 * The certificate file `NODE_EXTRA_CA_CERTS` names, when Node started the
 * CLI without reading it.
 *
 * Node 20 reads that file, and builds its whole store of root certificates
 * with it, as it starts, before any code runs: some 30 to 60 ms on a 2-core
 * machine with a system bundle of 140 certificates, in every command,
 * though only the commands that call AWS open a TLS connection. So the
 * `cnf-admin` launcher (`bin/cnf-admin.cjs`, a shell script first) starts
 * Node with the variable empty, puts it back in the environment at once
 * (every process the CLI starts gets it as it was), and names the file
 * here; the CLI's connections to AWS then trust those certificates too
 * (`lib/platform/aws/extra-ca-trust.ts`), as Node would have.
 */
let deferredFile: string | undefined;

/**
 * Says that Node started without the certificates of `file` (the value
 * `NODE_EXTRA_CA_CERTS` had), or, with `undefined`, that it read them itself.
 *
 * @example
 * deferCaCertificates('/etc/ssl/certs/ca-certificates.crt');
 */
function deferCaCertificates(file: string | undefined): void {
  deferredFile = file === '' ? undefined : file;
}

/** The certificate file Node started without (see {@link deferCaCertificates}), if any. */
function deferredCaCertificates(): string | undefined {
  return deferredFile;
}

export { deferCaCertificates, deferredCaCertificates };
