/**
 * The DynamoDB client and the commands the CLI sends to the run ledger, its
 * own and those of the runtime's ledger it reads through
 * (tools/build-cli.mjs bundles them, tree-shaken, as
 * dist/aws-sdk/dynamodb.mjs): the CLI's code imports DynamoDB from here alone.
 */
export * from '../../../runtime/vendor/dynamodb.js';
export { paginateQuery } from '@aws-sdk/client-dynamodb';
export type { AttributeValue } from '@aws-sdk/client-dynamodb';
