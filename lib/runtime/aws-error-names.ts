/*
 * The names AWS gives its refusals, by what they mean: one list for the
 * runtime (the ledger, the container gate, a config read) and the CLI's AWS
 * platform, which read them from errors of different services.
 */

/* A call AWS throttled: it did nothing, and may be tried again later. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
]);

/* A call refused for lack of a permission. */
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
  'NotAuthorized',
]);

/**
 * Whether an AWS error's name says that the call was throttled.
 *
 * @example
 * isThrottlingName('ProvisionedThroughputExceededException'); // true
 */
function isThrottlingName(name: string | undefined): boolean {
  return name !== undefined && THROTTLING.has(name);
}

/**
 * Whether an AWS error's name says that the call was refused for lack of a
 * permission.
 *
 * @example
 * isAccessDeniedName('AccessDeniedException'); // true
 */
function isAccessDeniedName(name: string | undefined): boolean {
  return name !== undefined && ACCESS_DENIED.has(name);
}

export { isAccessDeniedName, isThrottlingName };
