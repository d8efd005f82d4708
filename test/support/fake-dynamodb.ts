/**
 * The DynamoDB of the fake AWS endpoint: one table of items keyed by `pk`,
 * kept in wire form (attribute values such as `{ S: 'x' }`), serving what
 * the run ledger and the config history use: PutItem with the conditions
 * they write (`attribute_not_exists(#pk)`, a lease's `OR leaseExpiresAt <
 * :now`, a holder's `runId = :runId`), GetItem, DeleteItem, UpdateItem of a
 * lease, and Query of an index by its partition key, sorted by its sort key.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { SsmAnswer } from './fake-ssm.js';

type WireItem = Record<string, Record<string, unknown>>;

/** The scalar inside a wire attribute value. */
function scalar(value: Record<string, unknown> | undefined): unknown {
  if (value === undefined) return undefined;
  if ('S' in value) return value.S;
  if ('N' in value) return Number(value.N);
  if ('BOOL' in value) return value.BOOL;
  return JSON.stringify(value);
}

/** An in-memory ledger table (one, whatever its name). */
class FakeDynamoDb {
  readonly items = new Map<string, WireItem>();

  /** The items whose `pk` starts with `prefix`, unmarshalled to scalars at the top level. */
  itemsUnder(prefix: string): WireItem[] {
    return [...this.items.entries()].filter(([pk]) => pk.startsWith(prefix)).map(([, item]) => item);
  }

  /** Every item, as plain values (what a reader of the whole table sees). */
  unmarshalledItems(): Record<string, unknown>[] {
    return [...this.items.values()].map((item) => unmarshall(item as unknown as Record<string, AttributeValue>));
  }

  /** Answers one DynamoDB operation. */
  handle(operation: string, input: Record<string, unknown>): SsmAnswer {
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, Record<string, unknown>>;
    switch (operation) {
      case 'PutItem': {
        const item = input.Item as WireItem;
        const pk = String(scalar(item.pk));
        if (!this.#holds(this.items.get(pk), input.ConditionExpression as string | undefined, names, values))
          return { error: 'ConditionalCheckFailedException', message: 'The conditional request failed' };
        this.items.set(pk, item);
        return { body: {} };
      }
      case 'GetItem': {
        const pk = String(scalar((input.Key as WireItem).pk));
        const item = this.items.get(pk);
        return { body: item === undefined ? {} : { Item: item } };
      }
      case 'DeleteItem': {
        const pk = String(scalar((input.Key as WireItem).pk));
        if (!this.#holds(this.items.get(pk), input.ConditionExpression as string | undefined, names, values))
          return { error: 'ConditionalCheckFailedException', message: 'The conditional request failed' };
        this.items.delete(pk);
        return { body: {} };
      }
      case 'UpdateItem': {
        const pk = String(scalar((input.Key as WireItem).pk));
        const item = this.items.get(pk);
        if (item === undefined || !this.#holds(item, input.ConditionExpression as string | undefined, names, values))
          return { error: 'ConditionalCheckFailedException', message: 'The conditional request failed' };
        // A lease's renewal (`SET leaseExpiresAt = :expires`), a stop's request (`SET a = :a, b = :b`).
        for (const [, name, value] of String(input.UpdateExpression ?? '').matchAll(/(\w+)\s*=\s*(:\w+)/g))
          if (name !== undefined && value !== undefined && values[value] !== undefined)
            item[name] = values[value] as Record<string, unknown>;
        return { body: {} };
      }
      case 'Query':
        return this.#query(input, names, values);
      default:
        return { error: 'UnknownOperationException', message: `The fake DynamoDB does not serve ${operation}` };
    }
  }

  #query(input: Record<string, unknown>, names: Record<string, string>, values: Record<string, Record<string, unknown>>): SsmAnswer {
    const condition = String(input.KeyConditionExpression ?? '');
    const match = /^(#?\w+)\s*=\s*(:\w+)/.exec(condition);
    if (match?.[1] === undefined || match[2] === undefined)
      return { error: 'ValidationException', message: `Unsupported key condition ${condition}` };
    const attribute = names[match[1]] ?? match[1];
    const wanted = scalar(values[match[2]]);
    const sortKey = input.IndexName === undefined ? undefined : 'startedAt';
    let found = [...this.items.values()].filter((item) => scalar(item[attribute]) === wanted);
    if (sortKey !== undefined) {
      found = found.filter((item) => item[sortKey] !== undefined);
      found.sort((a, b) => String(scalar(a[sortKey])).localeCompare(String(scalar(b[sortKey]))));
    }
    if (input.ScanIndexForward === false) found.reverse();
    const start = input.ExclusiveStartKey === undefined ? 0 : Number(scalar((input.ExclusiveStartKey as WireItem).offset));
    const size = Number(input.Limit ?? 25);
    const page = found.slice(start, start + size);
    return {
      body: {
        Items: page,
        Count: page.length,
        ...(start + size < found.length ? { LastEvaluatedKey: { offset: { N: String(start + size) } } } : {}),
      },
    };
  }

  /** Whether an item meets one of the conditions the ledger writes with. */
  #holds(
    item: WireItem | undefined,
    condition: string | undefined,
    names: Record<string, string>,
    values: Record<string, Record<string, unknown>>,
  ): boolean {
    if (condition === undefined) return true;
    return condition.split(/\s+OR\s+/).some((either) =>
      either.split(/\s+AND\s+/).every((part) => {
        const exists = /attribute_(not_)?exists\((#?\w+)\)/.exec(part);
        if (exists?.[2] !== undefined) {
          const absent = item === undefined || item[names[exists[2]] ?? exists[2]] === undefined;
          return exists[1] === undefined ? !absent : absent;
        }
        const compare = /^\s*(#?\w+)\s*(<|=)\s*(:\w+)\s*$/.exec(part);
        if (compare?.[1] === undefined || compare[3] === undefined || item === undefined) return false;
        const left = scalar(item[names[compare[1]] ?? compare[1]]);
        const right = scalar(values[compare[3]]);
        return compare[2] === '<' ? Number(left) < Number(right) : left === right;
      }),
    );
  }
}

export { FakeDynamoDb };
