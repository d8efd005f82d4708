import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  marshall,
  unmarshall,
  type PutItemCommandInput,
} from '../vendor/dynamodb.js';
import { randomUUID } from 'node:crypto';
import { callerMatches } from '../../core/caller-match.js';
import { releaseMatches } from '../../core/release-match.js';
import { LEDGER_INDEXES, LEDGER_RETENTION_DAYS, LEDGER_TABLE, lockKey, runKey } from '../../core/ledger-table.js';
import { settledRecord, type RunRecord } from '../../core/run.js';
import { UnavailableError } from '../../core/errors.js';
import { runStatus, type RunStatus } from '../../core/run-status.js';
import { HeartbeatLease } from '../../core/heartbeat-lease.js';
import { parseRunRecord } from '../../core/run-record-schema.js';
import { retakenRecord, takesOverRefusedStart } from '../../core/refused-start.js';
import type { LeaseTiming, LockHolder, LockResult } from '../../core/lease.js';
import type { ClaimResult, LedgerQuery, RunLedger } from './run-ledger.js';

/* Which claim wrote a run's item: a claim whose first put succeeded, but whose answer was lost and retried, finds its own item. */
const CLAIM_TOKEN = 'claimToken';

/** The item attributes that are not part of the run record. */
const ITEM_KEYS = [
  LEDGER_TABLE.partitionKey,
  LEDGER_TABLE.ttlAttribute,
  LEDGER_TABLE.byStartedAt.partitionKey,
  LEDGER_TABLE.byStatus.partitionKey,
  CLAIM_TOKEN,
] as const;

const DAY_SECONDS = 24 * 60 * 60;

/*
 * A run's result is kept as its JSON text: any JSON value fits a string
 * attribute, where a map nested deeper than DynamoDB's 32 levels, or an
 * empty string as a key, would not. The ledger caps it at 64 KiB
 * (STORED_RESULT_MAX_BYTES), well inside the 400 KB item limit.
 */
const RESULT_ATTRIBUTE = 'resultJson';

function runItem(record: RunRecord): Record<string, unknown> {
  const { result, ...rest } = record;
  return {
    ...rest,
    ...(result === undefined ? {} : { [RESULT_ATTRIBUTE]: JSON.stringify(result) }),
    [LEDGER_TABLE.partitionKey]: runKey(record.runId),
    [LEDGER_TABLE.byStartedAt.partitionKey]: 'run',
    // What the byStatus index lists by: `running` from the claim until the run records its end.
    [LEDGER_TABLE.byStatus.partitionKey]: runStatus(record),
    [LEDGER_TABLE.ttlAttribute]: Math.floor(Date.parse(record.startedAt) / 1000) + LEDGER_RETENTION_DAYS * DAY_SECONDS,
  };
}

/** The run record an item holds; a corrupted item is an error (69) that names it, never a run "in progress" for ever. */
function recordOf(table: string, item: Record<string, unknown>): RunRecord {
  const record = { ...item };
  for (const key of ITEM_KEYS) delete record[key];
  const resultJson = record[RESULT_ATTRIBUTE];
  delete record[RESULT_ATTRIBUTE];
  if (typeof resultJson === 'string') record.result = parseResult(resultJson);
  return parseRunRecord(
    record,
    `${String(item[LEDGER_TABLE.partitionKey])} in table ${table}`,
    `Fix or delete that item in table ${table}.`,
  );
}

/** A stored result's JSON text as its value; text that is no JSON (written by hand) stays the text. */
function parseResult(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Whether a conditional write held its condition: false when DynamoDB refused it for that, any other error thrown. */
async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return false;
  }
}

/**
 * The run ledger of an AWS stage: a DynamoDB table (layout in
 * `lib/core/ledger-table.ts`). A run id is claimed with a conditional put, so
 * exactly one delivery of it runs; a task lock is an item whose lease a
 * conditional put takes, a conditional update renews and a conditional
 * delete gives back.
 *
 * Powertools' idempotency utility was considered: it keeps its own record
 * per payload hash, which cannot serve as the audit ledger (args, caller,
 * release, listing by task), so the ledger record itself is the idempotency
 * key here, and one conditional write does both jobs.
 */
class DynamoLedger implements RunLedger {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBClient = new DynamoDBClient({}),
    private readonly timing: LeaseTiming = {},
  ) {}

  async claim(record: RunRecord): Promise<ClaimResult> {
    const token = randomUUID();
    const created = await this.#putClaim(record, token, {
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': LEDGER_TABLE.partitionKey },
    });
    if (created) return { claimed: true };
    const item = await this.#claimedItem(record.runId);
    // The SDK retried a put that had succeeded: the item is this claim's own.
    if (item[CLAIM_TOKEN] === token) return { claimed: true };
    const existing = recordOf(this.table, item);
    if (!takesOverRefusedStart(existing, record)) return { claimed: false, existing };
    return this.#retake(existing, record, token);
  }

  /** One conditional put of a run's record with this claim's token: whether the condition held. */
  async #putClaim(
    record: RunRecord,
    token: string,
    condition: Pick<PutItemCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
  ): Promise<boolean> {
    return conditionHeld(
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall({ ...runItem(record), [CLAIM_TOKEN]: token }, { removeUndefinedValues: true }),
          ...condition,
        }),
      ),
    );
  }

  /** Takes over the record of a run that never started: a put on condition that it is still that record, so one retry wins. */
  async #retake(existing: RunRecord, record: RunRecord, token: string): Promise<ClaimResult> {
    const retaken = retakenRecord(existing, record);
    const took = await this.#putClaim(retaken, token, {
      ConditionExpression: 'notStarted = :true AND endedAt = :endedAt',
      ExpressionAttributeValues: marshall({ ':true': true, ':endedAt': existing.endedAt }),
    });
    if (took) return { claimed: true, record: retaken };
    const item = await this.#claimedItem(record.runId);
    // The SDK retried a put that had succeeded: the record is this retry's own.
    if (item[CLAIM_TOKEN] === token) return { claimed: true, record: retaken };
    // Another retry took it over first: its run is the one in progress.
    return { claimed: false, existing: recordOf(this.table, item) };
  }

  /** The item of a run id a claim found taken, as stored (with its claim token). */
  async #claimedItem(runId: string): Promise<Record<string, unknown>> {
    const found = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: marshall({ [LEDGER_TABLE.partitionKey]: runKey(runId) }), ConsistentRead: true }),
    );
    if (found.Item === undefined) throw new Error(`Run ${runId} was claimed but its record vanished`);
    return unmarshall(found.Item);
  }

  async finish(record: RunRecord): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.table, Item: marshall(runItem(record), { removeUndefinedValues: true }) }));
  }

  async finishUnlessEnded(record: RunRecord): Promise<boolean> {
    return conditionHeld(
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall(runItem(record), { removeUndefinedValues: true }),
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(endedAt) AND attribute_not_exists(containerStartedAt)',
          ExpressionAttributeNames: { '#pk': LEDGER_TABLE.partitionKey },
        }),
      ),
    );
  }

  /**
   * Takes the lock when it is free, its lease expired, or the run holding it
   * has ended (or was lost): the ledger records that run's end, so its lock
   * is free at once, not when its lease runs out.
   */
  async acquireLock(name: string, holder: LockHolder): Promise<LockResult> {
    const leaseMs = this.timing.leaseMs ?? 30_000;
    const putWhereFree = (): Promise<boolean> => {
      const now = Date.now();
      return this.#putLock(name, holder, now + leaseMs, 'attribute_not_exists(#pk) OR leaseExpiresAt < :now', { ':now': now });
    };
    let taken = await putWhereFree();
    let current = taken ? undefined : await this.#lockHolder(name);
    // Released between the put and the read (its holder just finished): free now, so it is put once more.
    if (!taken && current === undefined) {
      taken = await putWhereFree();
      current = taken ? undefined : await this.#lockHolder(name);
    }
    // Taken from an ended run on condition that the same run still holds it: of two takers, one wins.
    const freed =
      current !== undefined &&
      (await this.#runEnded(current.runId)) &&
      (await this.#putLock(name, holder, Date.now() + leaseMs, 'runId = :heldBy', { ':heldBy': current.runId }));
    if (!taken && !freed) {
      return {
        acquired: false,
        holder: { runId: current?.runId ?? 'unknown', caller: current?.caller ?? 'unknown', since: current?.since ?? 'unknown' },
      };
    }
    return {
      acquired: true,
      lease: new DynamoLease(this.client, this.table, name, holder.runId, leaseMs, this.timing.heartbeatMs ?? 10_000),
    };
  }

  async lockHolder(name: string): Promise<LockHolder | undefined> {
    const item = await this.#lockHolder(name);
    if (item === undefined) return undefined;
    const expires = (item as LockHolder & { readonly [LEDGER_TABLE.leaseAttribute]?: number })[LEDGER_TABLE.leaseAttribute];
    if (expires !== undefined && expires < Date.now()) return undefined;
    return (await this.#runEnded(item.runId)) ? undefined : { runId: item.runId, caller: item.caller, since: item.since };
  }

  /** One conditional put of a lock item: whether it was taken. */
  async #putLock(name: string, holder: LockHolder, expires: number, condition: string, values: Record<string, unknown>): Promise<boolean> {
    return conditionHeld(
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall({ [LEDGER_TABLE.partitionKey]: lockKey(name), ...holder, [LEDGER_TABLE.leaseAttribute]: expires }),
          ConditionExpression: condition,
          ...(condition.includes('#pk') ? { ExpressionAttributeNames: { '#pk': LEDGER_TABLE.partitionKey } } : {}),
          ExpressionAttributeValues: marshall(values),
        }),
      ),
    );
  }

  /** Who holds the named lock's item, whatever its lease. */
  async #lockHolder(name: string): Promise<LockHolder | undefined> {
    const held = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: marshall({ [LEDGER_TABLE.partitionKey]: lockKey(name) }), ConsistentRead: true }),
    );
    return held.Item === undefined ? undefined : (unmarshall(held.Item) as LockHolder);
  }

  /**
   * Whether the ledger records the run as ended, or it was lost (its deadline
   * passed without an end). A record that cannot be read tells no end: the
   * lock's lease decides, as for a holder that is no run (a config change).
   */
  async #runEnded(runId: string): Promise<boolean> {
    let record: RunRecord | undefined;
    try {
      record = await this.get(runId);
    } catch (error) {
      if (error instanceof UnavailableError) return false;
      throw error;
    }
    return record !== undefined && settledRecord(record).endedAt !== undefined;
  }

  async requestStop(runId: string, requestedBy: string, requestedAt: string): Promise<boolean> {
    return conditionHeld(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ [LEDGER_TABLE.partitionKey]: runKey(runId) }),
          UpdateExpression: 'SET stopRequestedAt = :at, stopRequestedBy = :by',
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(endedAt)',
          ExpressionAttributeNames: { '#pk': LEDGER_TABLE.partitionKey },
          ExpressionAttributeValues: marshall({ ':at': requestedAt, ':by': requestedBy }),
        }),
      ),
    );
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const result = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: marshall({ [LEDGER_TABLE.partitionKey]: runKey(runId) }), ConsistentRead: true }),
    );
    return result.Item === undefined ? undefined : recordOf(this.table, unmarshall(result.Item));
  }

  /**
   * Runs newest first, queried (never scanned): through the byTask index for
   * one task, byStatus for one status, byStartedAt otherwise, within the
   * time range. Release, caller and source are read off the items, the
   * query going on until the limit is met, so they hold over every run.
   * Runs recorded before items carried `runStatus` are missing from the
   * byStatus index: a status filter finds them through byStartedAt (those
   * without `runStatus`, their status read off the record) and merges them in.
   */
  async list(query: LedgerQuery = {}): Promise<RunRecord[]> {
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    const range = timeRange(query);
    const wanted = (record: RunRecord): boolean => recordMatches(record, query);
    const clientSide = query.release !== undefined || query.caller !== undefined || query.source !== undefined;
    if (query.task !== undefined || query.status === undefined) {
      const index = query.task === undefined ? LEDGER_TABLE.byStartedAt : LEDGER_TABLE.byTask;
      return this.#query({
        index,
        key: query.task ?? 'run',
        range,
        excluded: query.excludeTasks ?? [],
        // A run from before runStatus has none: its status is read off the record.
        ...(query.status === undefined ? {} : { status: statusKeys(query.status) }),
        wanted,
        limit,
        clientSide: clientSide || query.status !== undefined,
      });
    }
    const excluded = query.excludeTasks ?? [];
    const keys = statusKeys(query.status);
    const byKey = await Promise.all(
      keys.map(async (key) => this.#query({ index: LEDGER_TABLE.byStatus, key, range, excluded, wanted, limit, clientSide })),
    );
    const indexed = newestFirst(byKey.flat()).slice(0, limit);
    // Older runs only matter down to the oldest run the index answered with, once it answered a full page.
    const oldest = indexed.length >= limit ? indexed.at(-1)?.startedAt : undefined;
    const legacyRange = timeRange({
      ...query,
      ...(oldest === undefined || (query.since !== undefined && query.since > oldest) ? {} : { since: oldest }),
    });
    const legacy = await this.#query({
      index: LEDGER_TABLE.byStartedAt,
      key: 'run',
      range: legacyRange,
      excluded,
      status: keys,
      onlyWithoutStatus: true,
      wanted,
      limit,
      clientSide: true,
    });
    const listed = new Set(indexed.map((record) => record.runId));
    const older = legacy.filter((record) => !listed.has(record.runId));
    if (older.length === 0) return indexed;
    return newestFirst([...indexed, ...older]).slice(0, limit);
  }

  /** One query of an index, newest first, page after page until `limit` records pass `wanted` or the index ends. */
  async #query(plan: QueryPlan): Promise<RunRecord[]> {
    const { index, key, range, excluded, status, wanted, limit } = plan;
    const excludedValues = Object.fromEntries(excluded.map((task, i) => [`:excluded${i}`, task]));
    const statusFilter =
      status === undefined || index === LEDGER_TABLE.byStatus
        ? undefined
        : plan.onlyWithoutStatus === true
          ? 'attribute_not_exists(#status)'
          : `(#status IN (${status.map((_key, i) => `:status${i}`).join(', ')}) OR attribute_not_exists(#status))`;
    const filters = [
      ...(excluded.length === 0 ? [] : [`NOT #task IN (${Object.keys(excludedValues).join(', ')})`]),
      ...(statusFilter === undefined ? [] : [statusFilter]),
    ];
    const records: RunRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index.indexName,
          KeyConditionExpression: `#key = :value${range.condition}`,
          ExpressionAttributeNames: {
            '#key': index.partitionKey,
            ...(range.condition === '' ? {} : { '#startedAt': index.sortKey }),
            ...(excluded.length === 0 ? {} : { '#task': 'task' }),
            ...(statusFilter === undefined ? {} : { '#status': LEDGER_TABLE.byStatus.partitionKey }),
          },
          ExpressionAttributeValues: marshall({
            ':value': key,
            ...range.values,
            ...excludedValues,
            ...(statusFilter?.includes(':status') === true ? Object.fromEntries((status ?? []).map((key, i) => [`:status${i}`, key])) : {}),
          }),
          // A filter reads past the items it drops: the loop below goes on until the limit is met.
          ...(filters.length === 0 ? {} : { FilterExpression: filters.join(' AND ') }),
          ScanIndexForward: false,
          // Items the records' own fields then drop are read a full page (1 MB) at a time.
          ...(limit === Number.POSITIVE_INFINITY || plan.clientSide ? {} : { Limit: limit - records.length }),
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey as never }),
        }),
      );
      for (const item of page.Items ?? []) {
        const record = recordOf(this.table, unmarshall(item));
        if (records.length < limit && wanted(record)) records.push(record);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && records.length < limit);
    return records;
  }
}

/** How {@link DynamoLedger} queries one index. */
interface QueryPlan {
  readonly index: (typeof LEDGER_INDEXES)[number];
  /** The partition key's value: a task, a status, or `run`. */
  readonly key: string;
  readonly range: { readonly condition: string; readonly values: Record<string, string> };
  readonly excluded: readonly string[];
  /** The byStatus keys the runs may have: a filter, outside the byStatus index. */
  readonly status?: readonly string[];
  /** Only runs without `runStatus` (else those runs pass the status filter too, to be judged by their record). */
  readonly onlyWithoutStatus?: boolean;
  readonly wanted: (record: RunRecord) => boolean;
  readonly limit: number;
  /** Whether `wanted` may drop records the query returns. */
  readonly clientSide: boolean;
}

/** Whether a record is one the query asks for, by the fields a key condition does not take. */
function recordMatches(record: RunRecord, query: LedgerQuery): boolean {
  if (query.status !== undefined && !statusKeys(query.status).includes(runStatus(record))) return false;
  if (query.release !== undefined && !releaseMatches(record.release, query.release)) return false;
  if (query.source !== undefined && record.source !== query.source) return false;
  if (query.caller !== undefined && !callerMatches(record.caller, query.caller)) return false;
  return true;
}

/**
 * The byStatus keys of a status's runs. A lost run's item says `running`
 * until a reader settles it (its deadline passed), or `lost` once its end was
 * recorded so (`cnf:settle`, a container task ECS no longer knows): a
 * listing of lost runs asks for both, and the reader keeps the lost ones.
 */
function statusKeys(status: RunStatus): string[] {
  return status === 'lost' ? ['running', 'lost'] : [status];
}

/** Records newest first, by start time. */
function newestFirst(records: RunRecord[]): RunRecord[] {
  return records.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
}

/** The part of a key condition that bounds `startedAt` (the sort key of every index). */
function timeRange(query: LedgerQuery): { condition: string; values: Record<string, string> } {
  const { since, until } = query;
  if (since !== undefined && until !== undefined)
    // BETWEEN takes its upper bound in; `until` is exclusive, so the bound is the instant before it.
    return { condition: ' AND #startedAt BETWEEN :since AND :until', values: { ':since': since, ':until': beforeInstant(until) } };
  if (since !== undefined) return { condition: ' AND #startedAt >= :since', values: { ':since': since } };
  if (until !== undefined) return { condition: ' AND #startedAt < :until', values: { ':until': until } };
  return { condition: '', values: {} };
}

/** The latest ISO 8601 time (to the millisecond) before `iso`. */
function beforeInstant(iso: string): string {
  return new Date(Date.parse(iso) - 1).toISOString();
}

/** A lease on a task lock item, renewed by a heartbeat while the run holds it. */
class DynamoLease extends HeartbeatLease {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly name: string,
    private readonly runId: string,
    private readonly leaseMs: number,
    heartbeatMs: number,
  ) {
    super(heartbeatMs, leaseMs);
  }

  protected async renew(): Promise<void> {
    const renewed = await conditionHeld(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.#key(),
          UpdateExpression: 'SET leaseExpiresAt = :expires',
          ConditionExpression: 'runId = :runId',
          ExpressionAttributeValues: marshall({ ':expires': Date.now() + this.leaseMs, ':runId': this.runId }),
        }),
      ),
    );
    if (!renewed) this.lose(new Error(`The lease on lock ${this.name} expired and another run took it`));
  }

  protected async giveBack(): Promise<void> {
    // Another run took the lease after it expired (the condition fails): it is theirs now, nothing to give back.
    await conditionHeld(
      this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: this.#key(),
          ConditionExpression: 'runId = :runId',
          ExpressionAttributeValues: marshall({ ':runId': this.runId }),
        }),
      ),
    );
  }

  #key() {
    return marshall({ [LEDGER_TABLE.partitionKey]: lockKey(this.name) });
  }
}

export { DynamoLedger };
