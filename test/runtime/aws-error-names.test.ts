import { describe, expect, it } from 'vitest';
import { isAccessDeniedName, isThrottlingName } from '../../lib/runtime/aws-error-names.js';

describe("AWS's refusals by name", () => {
  it('tells a throttled call by the name each service gives it', () => {
    // SSM and ECS, Lambda, DynamoDB, EC2, S3.
    for (const name of [
      'ThrottlingException',
      'TooManyRequestsException',
      'ProvisionedThroughputExceededException',
      'RequestLimitExceeded',
      'SlowDown',
    ])
      expect(isThrottlingName(name), name).toBe(true);
    for (const name of ['AccessDeniedException', 'ResourceNotFoundException', 'ServerException', 'LedgerThrottled', undefined])
      expect(isThrottlingName(name), String(name)).toBe(false);
  });

  it('tells a call refused for lack of a permission by the name each service gives it', () => {
    // SSM, ECS and DynamoDB; S3; EC2; SNS.
    for (const name of ['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'AuthorizationError'])
      expect(isAccessDeniedName(name), name).toBe(true);
    for (const name of ['ThrottlingException', 'InvalidClientTokenId', 'ParameterNotFound', undefined])
      expect(isAccessDeniedName(name), String(name)).toBe(false);
  });
});
