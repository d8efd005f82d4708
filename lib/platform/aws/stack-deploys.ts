import type { CloudFormationClient } from './sdk/cloudformation.js';
import { translateAwsError } from './aws-errors.js';

/**
 * The status of a stage's CloudFormation stack when a deploy is under way
 * (any `*_IN_PROGRESS`: an update, its cleanup, its rollback), else
 * undefined (the stack is settled, or gone).
 */
async function deployInProgress(client: CloudFormationClient, stackName: string, stage: string): Promise<string | undefined> {
  const { DescribeStacksCommand } = await import('./sdk/cloudformation.js');
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const status = Stacks?.[0]?.StackStatus;
    return status?.endsWith('_IN_PROGRESS') === true ? status : undefined;
  } catch (error) {
    // CloudFormation answers a stack that is not there with a ValidationError: nothing is deploying it.
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) return undefined;
    throw translateAwsError(error, { action: 'cloudformation:DescribeStacks', resource: `stack ${stackName}`, stage });
  }
}

export { deployInProgress };
