/**
 * The DynamoDB client the runtime writes the run ledger with: only what it
 * uses (bundled at the package's build: see ssm.ts).
 *
 * @example
 * await new DynamoDBClient({}).send(new PutItemCommand({ TableName: table, Item: marshall(item) }));
 */
export {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
export type { PutItemCommandInput } from '@aws-sdk/client-dynamodb';
export { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
