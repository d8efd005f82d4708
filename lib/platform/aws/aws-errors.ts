import { PermissionError, TryAgainError, UnavailableError, UsageError, withoutFullStop, type CnfError } from '../../core/errors.js';
import { isAccessDeniedName, isThrottlingName } from '../../runtime/aws-error-names.js';
import { AWS_TIMEOUT_VARIABLE } from './aws-clients.js';

/** One AWS call, as an error message names it. */
interface AwsCall {
  /** The IAM action, e.g. `lambda:GetAlias`. */
  readonly action: string;
  /** What it was called on, e.g. `function notes-prod-web alias live`. */
  readonly resource: string;
  /** The stage, for the hints. */
  readonly stage: string;
}

/** The fields of an SDK error the CLI looks at. */
interface SdkErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

/*
 * The resource is in the middle of another change (a deploy updating the function, a concurrent write of the parameter):
 * AWS refused the call and did nothing, and the same call succeeds once that change is done. Lambda answers 409
 * ResourceConflictException (an alias or function being updated, a function still Pending); SSM answers TooManyUpdates.
 */
const BUSY = new Set(['ResourceConflictException', 'TooManyUpdates']);

const BAD_CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
]);

const NOT_FOUND = new Set(['ResourceNotFoundException', 'ParameterNotFound', 'NotFoundException']);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/* Connections that never opened: the request did not reach AWS, so it did nothing. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/*
 * Node's codes (OpenSSL's verify results) for an endpoint's certificate that this process does not accept: one it has
 * no issuer of (self-signed, a proxy's own CA), or one that is not valid for the endpoint (expired, for another name).
 * The connection closed before the request went out, so the call did nothing.
 */
const UNTRUSTED_ISSUER_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'CERT_CHAIN_TOO_LONG',
]);
const INVALID_CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'CERT_REVOKED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/*
 * Node's messages for the first set, as a credential provider quotes them (SSO's wraps the error in one of its own,
 * with no code).
 */
const UNTRUSTED_ISSUER_MESSAGE = /self[- ]signed certificate|unable to (get local issuer|verify the first) certificate/i;

/*
 * The connection was dropped after the request went out (`socket hang up`). The SDK names these TimeoutError, as it
 * names a timeout, since both may be retried; they are no timeout, and waiting longer would not help.
 */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE']);

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/**
 * How a failure that outlasted the SDK's retries says so: the retries it made
 * (`, also after the SDK's 2 retries`), or nothing where the call was made once
 * (a client that retries nothing, such as the invoke's).
 */
function afterRetries(error: unknown): string {
  const retries = (shapeOf(error).$metadata?.attempts ?? 1) - 1;
  return retries <= 0 ? '' : `, also after the SDK's ${retries === 1 ? 'retry' : `${retries} retries`}`;
}

/** The HTTP status AWS answered with, when it answered. */
function httpStatusOf(error: unknown): number | undefined {
  return shapeOf(error).$metadata?.httpStatusCode;
}

/** AWS throttled the call: it did nothing, and may be tried again later. */
function isThrottling(error: unknown): boolean {
  return isThrottlingName(shapeOf(error).name) || httpStatusOf(error) === 429;
}

/** Another change of the resource is in progress: the call did nothing, and may be tried again once it is done. */
function isBusy(error: unknown): boolean {
  return BUSY.has(shapeOf(error).name ?? '');
}

/** The resource the call named does not exist. */
function isNotFound(error: unknown): boolean {
  return NOT_FOUND.has(shapeOf(error).name ?? '');
}

/** AWS failed on its side (a 5xx). */
function isServerFault(error: unknown): boolean {
  const status = httpStatusOf(error);
  return shapeOf(error).$fault === 'server' || (status !== undefined && status >= 500);
}

/** Whether the connection was dropped after the request went out (a reset, a broken pipe), which the SDK names a timeout. */
function isDroppedConnection(error: unknown): boolean {
  return DROPPED_CODES.has(shapeOf(error).code ?? '');
}

/**
 * Whether a call that failed may still have done what it asked: AWS failed on
 * its side (a 5xx), or the answer was lost after the request went out (a
 * timeout, a dropped connection). A refusal, a throttle or a connection never
 * made ({@link NEVER_SENT}) did nothing.
 */
function mayHaveLanded(error: unknown): boolean {
  return isServerFault(error) || (isNetworkError(error) && !NEVER_SENT.has(shapeOf(error).code ?? ''));
}

/**
 * Why the endpoint's certificate was not accepted, if that is what failed (nothing was sent): `issuer` for one whose
 * issuer this process does not trust (a proxy that inspects TLS, say), `validity` for one not valid for the endpoint.
 */
function certificateFault(error: unknown): 'issuer' | 'validity' | undefined {
  const { code = '', name, message = '' } = shapeOf(error);
  if (UNTRUSTED_ISSUER_CODES.has(code)) return 'issuer';
  if (INVALID_CERTIFICATE_CODES.has(code)) return 'validity';
  return name === 'CredentialsProviderError' && UNTRUSTED_ISSUER_MESSAGE.test(message) ? 'issuer' : undefined;
}

/** The connection failed or timed out: AWS may or may not have seen the request. */
function isNetworkError(error: unknown): boolean {
  const { name, code } = shapeOf(error);
  return name === 'TimeoutError' || NETWORK_CODES.has(code ?? '') || NETWORK_CODES.has(name ?? '');
}

/**
 * Something other than AWS answered (a proxy's or captive portal's HTML page
 * with 200): the SDK could not read the answer.
 */
function isUnreadableAnswer(error: unknown): boolean {
  const { name, message } = shapeOf(error);
  return shapeOf(error).$metadata !== undefined && (name === 'SyntaxError' || /Deserialization error/.test(message ?? ''));
}

/** The call was refused for lack of a permission. */
function isAccessDenied(error: unknown): boolean {
  return isAccessDeniedName(shapeOf(error).name);
}

function isMissingCredentials(error: unknown): boolean {
  const { name, message } = shapeOf(error);
  return name === 'CredentialsProviderError' || /could not (load|resolve) credentials/i.test(message ?? '');
}

function isMissingRegion(error: unknown): boolean {
  return /region is missing|region not accepted/i.test(shapeOf(error).message ?? '');
}

/**
 * Turns an SDK error into the CLI's error with the exit code the design
 * gives: credentials and permissions 77 (naming the action), throttling,
 * a resource busy with another change and AWS failing on its side (a 5xx) 75, unreachable AWS, an endpoint whose
 * certificate is not accepted and missing resources 69, other refusals 64.
 * Anything else is returned as it is: a bug, shown with its stack.
 */
function translateAwsError(error: unknown, call: AwsCall): unknown {
  const { name = 'Error', message: said = String(error) } = shapeOf(error);
  // Quoted in a sentence of cnf-admin's own, within parentheses, AWS's message drops its own full stop: `(… is invalid).`
  const message = withoutFullStop(said);
  const policyHint = `See the permissions the CLI needs with: cnf-admin policy --stage ${call.stage}`;
  const certificate = certificateFault(error);
  if (certificate !== undefined) {
    return new UnavailableError(
      `The endpoint of ${call.action} on ${call.resource} showed a certificate this machine does not accept (${message.split('\n')[0]}): a proxy that inspects TLS, or a wrong endpoint, answered. Nothing was sent.`,
      {
        hint:
          certificate === 'issuer'
            ? "Name your network's CA certificates (a PEM file) in NODE_EXTRA_CA_CERTS, and check AWS_ENDPOINT_URL if you set one."
            : "Check AWS_ENDPOINT_URL if you set one, and this machine's clock; a proxy that inspects TLS must show a certificate valid for the endpoint.",
        cause: error,
      },
    );
  }
  if (isMissingRegion(error)) {
    return new UsageError(`No AWS region for stage ${call.stage} (${message}).`, {
      hint: 'Pass --region, set AWS_REGION (or a region in your AWS profile), or pin "region" for the stage in cdk.json.',
      cause: error,
    });
  }
  if (isMissingCredentials(error)) {
    if (/expired/i.test(message)) return expiredCredentials(error, name, message);
    return new PermissionError(`No AWS credentials for stage ${call.stage} (${message.split('\n')[0]}).`, {
      hint: 'Sign in (e.g. aws sso login), choose a profile with AWS_PROFILE or --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
      cause: error,
    });
  }
  if (BAD_CREDENTIALS.has(name)) return expiredCredentials(error, name, message);
  if (isAccessDenied(error)) {
    return new PermissionError(`Permission denied: ${call.action} on ${call.resource} (${message}).`, { hint: policyHint, cause: error });
  }
  if (isThrottling(error)) {
    // What the throttle did is the message; what it means for the command (nothing changed, try again) is the hint, which a
    // command that has started a run that goes on (invoke following a container task) does not pass on.
    return new TryAgainError(`AWS throttled ${call.action} on ${call.resource}${afterRetries(error)}.`, {
      hint: 'Nothing changed; try again in a moment.',
      cause: error,
    });
  }
  if (isBusy(error)) {
    return new TryAgainError(`AWS refused ${call.action} on ${call.resource}: another change to it is in progress (${name}: ${message}).`, {
      hint: 'Nothing changed; try again in a moment, once that change is done.',
      cause: error,
    });
  }
  if (isUnreadableAnswer(error)) {
    return new UnavailableError(
      `AWS's answer to ${call.action} on ${call.resource} is not AWS's (HTTP ${httpStatusOf(error) ?? '?'}, ${message.split('\n')[0]}): a proxy, a captive portal or a wrong endpoint answered.`,
      { hint: 'Check the network (sign in to the portal, or set HTTPS_PROXY), and AWS_ENDPOINT_URL if you set one.', cause: error },
    );
  }
  if (isDroppedConnection(error)) {
    return new UnavailableError(`The connection to AWS was dropped during ${call.action} on ${call.resource} (${message}).`, {
      hint: 'Check the network, and AWS_ENDPOINT_URL if you set one.',
      cause: error,
    });
  }
  if (name === 'TimeoutError') {
    return new UnavailableError(
      `AWS did not answer ${call.action} on ${call.resource} in time (${message.replace(/^@smithy\/node-http-handler - \[ERROR\] /, '')}).`,
      {
        hint: `Check the network, and AWS_ENDPOINT_URL if you set one; ${AWS_TIMEOUT_VARIABLE} sets how long to wait (default 10 s).`,
        cause: error,
      },
    );
  }
  if (isNetworkError(error)) {
    return new UnavailableError(`Cannot reach AWS for ${call.action} on ${call.resource} (${message}).`, {
      hint: 'Check the network, and AWS_ENDPOINT_URL if you set one.',
      cause: error,
    });
  }
  if (isServerFault(error)) {
    // A failure on AWS's side that outlasted the SDK's retries is as temporary as a throttle: 75, not 69. Whether the call
    // did anything is not known (a write may have been made), so the hint does not say that nothing changed.
    return new TryAgainError(
      `AWS failed ${call.action} on ${call.resource} (${name}, HTTP ${httpStatusOf(error) ?? '5xx'})${afterRetries(error)}.`,
      { hint: 'Try again in a moment.', cause: error },
    );
  }
  if (isNotFound(error)) {
    return new UnavailableError(`${call.resource} does not exist (${call.action}: ${message}).`, {
      hint: `Deploy stage ${call.stage} (cdk deploy -c stage=${call.stage}), which creates it, or check --region and the AWS account.`,
      cause: error,
    });
  }
  if (shapeOf(error).$fault === 'client') {
    return new UsageError(`AWS refused ${call.action} on ${call.resource}: ${name}: ${message}`, { cause: error });
  }
  return error;
}

function expiredCredentials(error: unknown, name: string, message: string): CnfError {
  return new PermissionError(`The AWS credentials are expired or invalid (${name}: ${message.split('\n')[0]}).`, {
    hint: 'Refresh them (e.g. aws sso login --profile <name>) and try again.',
    cause: error,
  });
}

/**
 * Makes one control-plane call, turning its failure into the CLI's error.
 *
 * @example
 * await callAws({ action: 'lambda:GetAlias', resource: 'function notes-prod-web alias live', stage: 'prod' }, () =>
 *   lambda.send(new GetAliasCommand({ FunctionName: 'notes-prod-web', Name: 'live' })),
 * );
 */
async function callAws<T>(call: AwsCall, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateAwsError(error, call);
  }
}

export {
  callAws,
  httpStatusOf,
  isAccessDenied,
  isDroppedConnection,
  isNetworkError,
  isNotFound,
  isServerFault,
  isThrottling,
  mayHaveLanded,
  translateAwsError,
};
export type { AwsCall };
