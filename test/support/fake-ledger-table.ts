/**
 * The run ledger's DynamoDB table as the fake AWS serves it on the wire:
 * Query on its three indexes (sparse, as DynamoDB's are: an item without
 * an index's key attribute is not in that index), newest first, with the
 * key conditions and filters the ledger writes, `Limit` and
 * `ExclusiveStartKey` paging; and GetItem.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { LEDGER_INDEXES, LEDGER_TABLE, runKey } from '../../lib/core/ledger-table.js';

type Item = Record<string, unknown>;

interface QueryInput {
  readonly IndexName: string;
  readonly KeyConditionExpression: string;
  readonly FilterExpression?: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, AttributeValue>;
  readonly Limit?: number;
  readonly ExclusiveStartKey?: Record<string, AttributeValue>;
}

/** One filter term of the ledger's queries, checked against an item. */
function passes(term: string, item: Item, names: Record<string, string>, values: Item): boolean {
  const name = (token: string): string => names[token] ?? token;
  const excluded = /^NOT (#\w+) IN \(([^)]*)\)$/.exec(term);
  if (excluded !== null) return !(excluded[2] ?? '').split(', ').some((key) => values[key] === item[name(excluded[1] ?? '')]);
  const missing = /^attribute_not_exists\((#\w+)\)$/.exec(term);
  if (missing !== null) return item[name(missing[1] ?? '')] === undefined;
  const either = /^\((#\w+) = (:\w+) OR attribute_not_exists\(#\w+\)\)$/.exec(term);
  if (either !== null) {
    const value = item[name(either[1] ?? '')];
    return value === undefined || value === values[either[2] ?? ''];
  }
  const equal = /^(#\w+) = (:\w+)$/.exec(term);
  if (equal !== null) return item[name(equal[1] ?? '')] === values[equal[2] ?? ''];
  throw new Error(`The fake ledger table does not know the filter ${term}`);
}

/** The sort key condition of a key condition expression: its test on `startedAt`. */
function sortCondition(expression: string, values: Item): (startedAt: string) => boolean {
  const rest = expression.replace(/^#key = :value/, '');
  if (rest === '') return () => true;
  const between = / AND #startedAt BETWEEN (:\w+) AND (:\w+)$/.exec(rest);
  if (between !== null) return (at) => at >= String(values[between[1] ?? '']) && at <= String(values[between[2] ?? '']);
  const compare = / AND #startedAt (>=|<) (:\w+)$/.exec(rest);
  if (compare !== null) {
    const bound = String(values[compare[2] ?? '']);
    return compare[1] === '>=' ? (at) => at >= bound : (at) => at < bound;
  }
  throw new Error(`The fake ledger table does not know the key condition ${expression}`);
}

/** A ledger table holding `runs` (run records, with or without `runStatus`, as the scenario gives them). */
class FakeLedgerTable {
  readonly #seeded: Item[];
  readonly #written: () => readonly Item[];

  /**
   * @param runs - the scenario's runs
   * @param written - the items written to the table since (PutItem), read at each request
   */
  constructor(runs: readonly Item[], written: () => readonly Item[] = () => []) {
    this.#seeded = runs.map((run) => ({ [LEDGER_TABLE.partitionKey]: runKey(String(run.runId)), entity: 'run', ...run }));
    this.#written = written;
  }

  get #items(): Item[] {
    return [...this.#seeded, ...this.#written()];
  }

  getItem(input: { readonly Key: Record<string, AttributeValue> }): { Item?: Record<string, AttributeValue> } {
    const key = unmarshall(input.Key)[LEDGER_TABLE.partitionKey];
    const item = this.#items.find((candidate) => candidate[LEDGER_TABLE.partitionKey] === key);
    return item === undefined ? {} : { Item: marshall(item, { removeUndefinedValues: true }) };
  }

  query(input: QueryInput): { Items: Record<string, AttributeValue>[]; LastEvaluatedKey?: Record<string, AttributeValue> } {
    const index = LEDGER_INDEXES.find((candidate) => candidate.indexName === input.IndexName);
    if (index === undefined) throw new Error(`The fake ledger table has no index ${input.IndexName}`);
    const values = unmarshall(input.ExpressionAttributeValues);
    const inRange = sortCondition(input.KeyConditionExpression, values);
    const ordered = this.#items
      .filter((item) => item[index.partitionKey] === values[':value'] && inRange(String(item[index.sortKey])))
      .sort((a, b) => String(b[index.sortKey]).localeCompare(String(a[index.sortKey])));
    const startKey = input.ExclusiveStartKey === undefined ? undefined : unmarshall(input.ExclusiveStartKey)[LEDGER_TABLE.partitionKey];
    const from = startKey === undefined ? 0 : ordered.findIndex((item) => item[LEDGER_TABLE.partitionKey] === startKey) + 1;
    // Limit counts the items read, before the filter drops any: as DynamoDB does.
    const read = ordered.slice(from, input.Limit === undefined ? undefined : from + input.Limit);
    const terms = input.FilterExpression === undefined ? [] : input.FilterExpression.split(' AND ');
    const kept = read.filter((item) => terms.every((term) => passes(term, item, input.ExpressionAttributeNames, values)));
    const last = read.at(-1);
    const more = from + read.length < ordered.length && last !== undefined;
    return {
      Items: kept.map((item) => marshall(item, { removeUndefinedValues: true })),
      ...(more ? { LastEvaluatedKey: marshall({ [LEDGER_TABLE.partitionKey]: last[LEDGER_TABLE.partitionKey] }) } : {}),
    };
  }
}

export { FakeLedgerTable };
