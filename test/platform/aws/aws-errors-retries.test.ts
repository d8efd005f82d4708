/**
 * A throttle or a failure on AWS's side that outlasted the SDK's retries
 * says how many it made: none, for a client that makes one attempt (the
 * invoke's), whose failure says no more than what AWS answered.
 */
import { describe, expect, it } from 'vitest';
import { translateAwsError } from '../../../lib/platform/aws/aws-errors.js';
import { TryAgainError } from '../../../lib/core/errors.js';

const CALL = { action: 'lambda:InvokeFunction', resource: 'function shop-prod-admin:live', stage: 'prod' };

function failure(name: string, httpStatusCode: number, attempts?: number): Error {
  return Object.assign(new Error('AWS said no'), { name, $fault: 'server', $metadata: { httpStatusCode, attempts } });
}

describe('translateAwsError and the SDK retries', () => {
  it.each([
    [3, ", also after the SDK's 2 retries"],
    [2, ", also after the SDK's retry"],
    [1, ''],
    [undefined, ''],
  ])('a 5xx after %s attempts: 75, saying%s', (attempts, clause) => {
    const translated = translateAwsError(failure('ServiceException', 500, attempts), CALL);
    expect(translated).toBeInstanceOf(TryAgainError);
    expect((translated as Error).message).toBe(
      `AWS failed lambda:InvokeFunction on function shop-prod-admin:live (ServiceException, HTTP 500)${clause}.`,
    );
  });

  it('a throttle after 3 attempts: 75, saying the 2 retries, and that nothing changed', () => {
    const translated = translateAwsError(failure('ThrottlingException', 400, 3), CALL);
    expect(translated).toMatchObject({
      exitCode: 75,
      message: "AWS throttled lambda:InvokeFunction on function shop-prod-admin:live, also after the SDK's 2 retries.",
      hint: 'Nothing changed; try again in a moment.',
    });
  });
});
