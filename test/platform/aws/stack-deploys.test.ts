import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { PermissionError } from '../../../lib/core/errors.js';
import { deployInProgress } from '../../../lib/platform/aws/stack-deploys.js';

const cloudFormation = mockClient(CloudFormationClient);

afterEach(() => cloudFormation.reset());

const client = () => new CloudFormationClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

describe('deployInProgress', () => {
  it.each([
    ['UPDATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS'],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS'],
    ['UPDATE_COMPLETE', undefined],
    ['UPDATE_ROLLBACK_COMPLETE', undefined],
    ['UPDATE_ROLLBACK_FAILED', undefined],
  ])('reads stack status %s as a deploy under way: %s', async (status, expected) => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'notes-prod' }).resolves({
      Stacks: [{ StackName: 'notes-prod', StackStatus: status as never, CreationTime: new Date(0) }],
    });
    expect(await deployInProgress(client(), 'notes-prod', 'prod')).toBe(expected);
  });

  it('reads a stack that is not there as no deploy', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id notes-prod does not exist'), { name: 'ValidationError', $metadata: {} }));
    expect(await deployInProgress(client(), 'notes-prod', 'prod')).toBeUndefined();
  });

  it('names the permission when the caller may not read the stack', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const error = await deployInProgress(client(), 'notes-prod', 'prod').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as Error).message).toContain('cloudformation:DescribeStacks on stack notes-prod');
  });
});
