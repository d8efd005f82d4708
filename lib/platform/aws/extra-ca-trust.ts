import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { deferredCaCertificates } from '../../core/deferred-ca-certificates.js';

/* One certificate of a PEM bundle, as `NODE_EXTRA_CA_CERTS` files hold them. */
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

let built: { readonly file: string; readonly context: SecureContext | undefined } | undefined;

/**
 * What the CLI's HTTPS agent for AWS takes so that it trusts what Node
 * would have trusted, had it read `NODE_EXTRA_CA_CERTS` as it started:
 * Node's own root certificates and those of the file. Empty where Node did
 * read it, or where no file was named (see `core/deferred-ca-certificates.ts`).
 *
 * Built once per file. A file that cannot be read, or holds a certificate
 * that does not parse, gets the warning Node gives at its start, and the
 * agent Node's own roots, as Node does.
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

function secureContextWith(file: string): SecureContext | undefined {
  try {
    const extra = readFileSync(file, 'utf8').match(PEM_CERTIFICATE) ?? [];
    return createSecureContext({ ca: [...rootCertificates, ...extra] });
  } catch (error) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(error as Error).message}`);
    return undefined;
  }
}

export { extraCaTrust };
