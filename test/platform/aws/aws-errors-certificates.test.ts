/**
 * An AWS endpoint whose TLS certificate this process does not accept (a
 * proxy that inspects TLS, a wrong endpoint): 69, with what to do, never a
 * bug's stack. Nothing was sent, so nothing is retried as "may have landed".
 */
import { describe, expect, it } from 'vitest';
import { mayHaveLanded, translateAwsError } from '../../../lib/platform/aws/aws-errors.js';
import { PermissionError, UnavailableError } from '../../../lib/core/errors.js';

const CALL = { action: 'ssm:GetParameter', resource: 'parameter /shop/prod/_cnf/stage', stage: 'prod' };

function tlsError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('translateAwsError and certificates', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'],
    ['INVALID_PURPOSE', 'unsuitable certificate purpose'],
    ['INVALID_CA', 'invalid CA certificate'],
  ])('%s: 69, naming NODE_EXTRA_CA_CERTS', (code, message) => {
    const error = tlsError(code, message);
    const translated = translateAwsError(error, CALL);
    expect(translated).toBeInstanceOf(UnavailableError);
    expect(translated).toMatchObject({
      exitCode: 69,
      message: `The endpoint of ssm:GetParameter on parameter /shop/prod/_cnf/stage showed a certificate this machine does not accept (${message}): a proxy that inspects TLS, or a wrong endpoint, answered. Nothing was sent.`,
      hint: "Name your network's CA certificates (a PEM file) in NODE_EXTRA_CA_CERTS, and check AWS_ENDPOINT_URL if you set one.",
    });
    expect(mayHaveLanded(error)).toBe(false);
  });

  it.each([
    ['CERT_HAS_EXPIRED', 'certificate has expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"],
  ])('%s: 69, naming the endpoint and the clock, not a CA to add', (code, message) => {
    const translated = translateAwsError(tlsError(code, message), CALL);
    expect(translated).toBeInstanceOf(UnavailableError);
    expect((translated as UnavailableError).hint).toBe(
      "Check AWS_ENDPOINT_URL if you set one, and this machine's clock; a proxy that inspects TLS must show a certificate valid for the endpoint.",
    );
  });

  it("reads SSO's credentials error that quotes an untrusted certificate as one, not as missing credentials", () => {
    const wrapped = Object.assign(new Error('self-signed certificate'), { name: 'CredentialsProviderError' });
    const translated = translateAwsError(wrapped, CALL);
    expect(translated).toBeInstanceOf(UnavailableError);
    expect((translated as UnavailableError).hint).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('keeps missing credentials what they are', () => {
    const missing = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(translateAwsError(missing, CALL)).toBeInstanceOf(PermissionError);
  });
});
