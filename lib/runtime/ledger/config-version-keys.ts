import { DynamoDBClient, GetItemCommand, marshall, unmarshall } from '../vendor/dynamodb.js';
import { configItemKey } from '../../core/config-item-key.js';
import { isConfigVersionKeys } from '../../core/live-pair-record.js';
import type { ConfigVersionKey } from '../../core/config-version.js';
import { LEDGER_TABLE } from '../../core/ledger-table.js';

let client: DynamoDBClient | undefined;

/**
 * The selectors of config version `version` as the CLI recorded it in the
 * run ledger table (`config#v<N>`, see `core/config-ledger.ts`): how an admin
 * run of an older release reads its pinned config. Undefined when the table
 * holds no such version.
 */
async function configVersionKeys(table: string, version: number): Promise<Readonly<Record<string, ConfigVersionKey>> | undefined> {
  client ??= new DynamoDBClient({});
  const answer = await client.send(
    new GetItemCommand({ TableName: table, Key: marshall({ [LEDGER_TABLE.partitionKey]: configItemKey(version) }), ConsistentRead: true }),
  );
  // The selectors alone, checked by hand: this module may load in the web function, which carries no schema library.
  const keys: unknown = answer.Item === undefined ? undefined : unmarshall(answer.Item).keys;
  return isConfigVersionKeys(keys) ? keys : undefined;
}

export { configVersionKeys };
