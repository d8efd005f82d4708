import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * A DynamoDB attribute value as plain JavaScript: strings, numbers,
 * booleans, null, lists, maps and sets (as arrays).
 *
 * @example
 * plainValue({ M: { exitCode: { N: '0' } } }); // { exitCode: 0 }
 */
function plainValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(plainValue);
  if (value.M !== undefined) return plainItem(value.M);
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.B !== undefined) return value.B;
  if (value.BS !== undefined) return [...value.BS];
  return undefined;
}

/** A DynamoDB item as a plain object. */
function plainItem(item: Readonly<Record<string, AttributeValue>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([key, value]) => [key, plainValue(value)]));
}

export { plainItem };
