/**
 * The DynamoDB client and the commands the CLI sends to the run ledger, its
 * own and those of the runtime's ledger it reads through
 * (tools/build-cli.mjs bundles them, tree-shaken, as
 * dist/aws-sdk/dynamodb.cjs): the CLI's code imports DynamoDB from here
 * alone. Straight from the SDK's packages, not through the runtime's vendored
 * copy: the deployed config's provider, bundled at synth with the SDK left to
 * the Lambda runtime, writes through the CLI's ledger store.
 */
export {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  paginateQuery,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
export type { AttributeValue, PutItemCommandInput } from '@aws-sdk/client-dynamodb';
export { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
