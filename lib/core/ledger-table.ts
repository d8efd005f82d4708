/**
 * The layout of the run ledger's DynamoDB table on AWS stages, shared by the
 * CDK construct that creates the table and the runtime that writes it.
 *
 * Items:
 * - a run: `pk` = `run#<runId>`, `entity` = `run`, the run record's fields,
 *   and `expiresAt` (epoch seconds, the table's TTL attribute);
 * - a task lock: `pk` = `lock#<task>`, the holder and `leaseExpiresAt`
 *   (epoch milliseconds).
 *
 * Runs are listed newest first through {@link LEDGER_TABLE.byStartedAt}
 * (every run), {@link LEDGER_TABLE.byTask} (one task's runs) and
 * {@link LEDGER_TABLE.byStatus} (the runs of one status), each within a
 * time range of `startedAt` when asked: queried, never scanned.
 */
const LEDGER_TABLE = {
  /** The partition key (string). */
  partitionKey: 'pk',
  /** The TTL attribute: epoch seconds after which DynamoDB may delete a run. */
  ttlAttribute: 'expiresAt',
  /** A lock's lease: epoch milliseconds after which another may take it. */
  leaseAttribute: 'leaseExpiresAt',
  /** Global secondary index over every run: partition `entity` (= `run`), sort `startedAt`. */
  byStartedAt: { indexName: 'byStartedAt', partitionKey: 'entity', sortKey: 'startedAt' },
  /** Global secondary index over one task's runs: partition `task`, sort `startedAt`. */
  byTask: { indexName: 'byTask', partitionKey: 'task', sortKey: 'startedAt' },
  /**
   * Global secondary index over the runs of one status: partition
   * `runStatus` (`running` from the claim, the run's status from its end;
   * a lost run stays `running` there), sort `startedAt`.
   */
  byStatus: { indexName: 'byStatus', partitionKey: 'runStatus', sortKey: 'startedAt' },
} as const;

/** Every index of the ledger table: what the construct creates and grants Query on. */
const LEDGER_INDEXES = [LEDGER_TABLE.byStartedAt, LEDGER_TABLE.byTask, LEDGER_TABLE.byStatus] as const;

/** How long the ledger keeps a run before its TTL lets DynamoDB delete it. */
const LEDGER_RETENTION_DAYS = 400;

/** The partition key of a run's item. */
function runKey(runId: string): string {
  return `run#${runId}`;
}

/** The partition key of a task lock's item. */
function lockKey(name: string): string {
  return `lock#${name}`;
}

export { LEDGER_INDEXES, LEDGER_RETENTION_DAYS, LEDGER_TABLE, lockKey, runKey };
