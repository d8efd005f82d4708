/**
 * The largest of `values`, or `floor` when none is larger. A loop, not a
 * spread into `Math.max`, which overflows the call stack past some 100,000
 * values (a ledger's rows, an aliases.json of many pairs).
 *
 * @example
 * largest(records.map((record) => record.runId.length)); // 22
 * largest([], 8); // 8
 */
function largest(values: Iterable<number>, floor = 0): number {
  let most = floor;
  for (const value of values) if (value > most) most = value;
  return most;
}

export { largest };
