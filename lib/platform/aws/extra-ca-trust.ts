import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import { deferredCaCertificates } from '../../core/deferred-ca-certificates.js';

/* One certificate of a PEM bundle, as `NODE_EXTRA_CA_CERTS` files hold them. */
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

let built: { readonly file: string; readonly context: SecureContext | undefined } | undefined;

/**
 * What the CLI's HTTPS agent for AWS takes so that it trusts what Node
 * would have trusted, had it read `NODE_EXTRA_CA_CERTS` as it started: Node's
 * default store (its bundled roots, or the system's where Node is built or
 * run to use it) and the file's certificates. Empty where Node did read it,
 * or where no file was named (see `core/deferred-ca-certificates.ts`).
 *
 * Built once per file, when the CLI makes its AWS clients. A file that
 * cannot be read, or holds a certificate that does not parse, gets a
 * warning, as Node gives at its start, and the agent Node's default store.
 *
 * @example
 * new Agent({ keepAlive: true, ...extraCaTrust() });
 */
function extraCaTrust(): { readonly secureContext?: SecureContext } {
  const file = deferredCaCertificates();
  if (file === undefined) return {};
  if (built?.file !== file) built = { file, context: secureContextWith(file) };
  return built.context === undefined ? {} : { secureContext: built.context };
}

/** A context shaped as Node's HTTPS client makes its own (its defaults, the default store), with the file's certificates added. */
function secureContextWith(file: string): SecureContext | undefined {
  try {
    const extra = readFileSync(file, 'utf8').match(PEM_CERTIFICATE) ?? [];
    const context = createSecureContext();
    // The context's own method, which Node's `ca` option uses too: added to the default store, that store is copied
    // from the certificates Node parsed once (its bundled roots, or OpenSSL's store), not parsed again. (A `ca` option
    // would replace the default store, whose bundled roots would then be parsed again from `tls.rootCertificates`,
    // and a system store lost.)
    const native = context.context as { addCACert(pem: string): void };
    for (const certificate of extra) native.addCACert(certificate);
    return context;
  } catch (error) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(error as Error).message}`);
    return undefined;
  }
}

export { extraCaTrust };
