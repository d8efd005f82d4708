import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  marshall,
  PutItemCommand,
  paginateQuery,
  unmarshall,
  type DynamoDBClient,
} from './sdk/dynamodb.js';
import {
  CONFIG_ENTITY,
  configItem,
  configVersionOfItem,
  PAIR_ENTITY,
  pairItem,
  pairMoveOfItem,
  STAGE_LOCK,
  type PairMove,
} from '../../core/config-ledger.js';
import { configItemKey } from '../../core/config-item-key.js';
import type { ConfigVersion } from '../../core/config-version.js';
import { TryAgainError } from '../../core/errors.js';
import { LEDGER_TABLE } from '../../core/ledger-table.js';
import type { StageLockHolder } from '../../core/rollback.js';
import type { RunRecord } from '../../core/run.js';
import { DynamoLedger } from '../../runtime/ledger/dynamo-ledger.js';
import { callAws, translateAwsError } from './aws-errors.js';

/** The attribute of a config version's item naming the change that wrote it (a random token per `add`). */
const CHANGE_TOKEN = 'changeToken';

/** How many numbers a new config version tries past the newest it saw, when others took them meanwhile. */
const NUMBER_ATTEMPTS = 20;

/** Every number a new config version tried was taken by other changes: it is known that this one recorded none. */
class NumbersTakenError extends TryAgainError {}

/**
 * An AWS stage's config history in its run ledger table (the layout of
 * `core/config-ledger.ts`): the config versions, the moves of the live pair,
 * the stage-wide lock, and the rollback runs.
 */
class ConfigLedgerStore {
  constructor(
    private readonly dynamodb: () => Promise<DynamoDBClient>,
    private readonly table: string,
    private readonly stage: string,
  ) {}

  /** Every config version, oldest first: one query of the `byStartedAt` index (all its pages). */
  async versions(): Promise<ConfigVersion[]> {
    const items = await this.#entity(CONFIG_ENTITY);
    return items.flatMap((item) => configVersionOfItem(item) ?? []).sort((a, b) => a.version - b.version);
  }

  /** One config version, read by its key (consistent), or undefined. */
  async version(version: number): Promise<ConfigVersion | undefined> {
    const item = await this.#item(version);
    return item === undefined ? undefined : configVersionOfItem(item);
  }

  /**
   * Records a new config version numbered after `newest`: the item is created
   * only where no item has that number (`attribute_not_exists`); when another
   * change took it, the next number is tried, `attempts` numbers at most.
   * The item carries this change's token (`changeToken`): where the SDK
   * retried a write whose answer was lost (a dropped connection), its
   * condition fails on the item the first try wrote, and the token read
   * back says the item is this change's own, so one change records one version.
   *
   * @returns the version as recorded, with its number
   */
  async add(make: (version: number) => ConfigVersion, newest: number, attempts = NUMBER_ATTEMPTS): Promise<ConfigVersion> {
    const client = await this.dynamodb();
    const changeToken = randomUUID();
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const version = make(newest + attempt);
      try {
        await client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: marshall({ ...configItem(version), [CHANGE_TOKEN]: changeToken }, { removeUndefinedValues: true }),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': LEDGER_TABLE.partitionKey },
          }),
        );
        return version;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) && (error as Error).name !== 'ConditionalCheckFailedException')
          throw translateAwsError(error, this.#call('dynamodb:PutItem'));
        // The number is taken: by another change, or by this one's own write whose answer was lost before the SDK retried it.
        if ((await this.#tokenOf(version.version)) === changeToken) return version;
      }
    }
    throw new NumbersTakenError(`Stage ${this.stage}'s config changed ${attempts} times while this change was made; nothing changed.`);
  }

  /** The change token of config version `version`'s item (consistent read), or undefined. */
  async #tokenOf(version: number): Promise<unknown> {
    return (await this.#item(version, CHANGE_TOKEN))?.[CHANGE_TOKEN];
  }

  /** Config version `version`'s item (consistent read), or only its attribute `only`; undefined where there is none. */
  async #item(version: number, only?: string): Promise<Record<string, unknown> | undefined> {
    const client = await this.dynamodb();
    const answer = await callAws(this.#call('dynamodb:GetItem'), () =>
      client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: marshall({ [LEDGER_TABLE.partitionKey]: configItemKey(version) }),
          ConsistentRead: true,
          ...(only === undefined ? {} : { ProjectionExpression: '#only', ExpressionAttributeNames: { '#only': only } }),
        }),
      ),
    );
    return answer.Item === undefined ? undefined : unmarshall(answer.Item);
  }

  /**
   * Marks a config version this change recorded as never live: its item is
   * written again with `neverLive` (the operator's `PutItem` on `config#`
   * items; no `UpdateItem` or `DeleteItem` on them), only where it is still
   * the version that was recorded (same hash).
   *
   * @returns the version as now recorded
   */
  async markNeverLive(version: ConfigVersion): Promise<ConfigVersion> {
    const client = await this.dynamodb();
    const marked: ConfigVersion = { ...version, neverLive: true };
    await callAws(this.#call('dynamodb:PutItem'), () =>
      client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall(configItem(marked), { removeUndefinedValues: true }),
          ConditionExpression: 'attribute_exists(#pk) AND #hash = :hash',
          ExpressionAttributeNames: { '#pk': LEDGER_TABLE.partitionKey, '#hash': 'hash' },
          ExpressionAttributeValues: marshall({ ':hash': version.hash }),
        }),
      ),
    );
    return marked;
  }

  /** Every move of the live pair, oldest first. */
  async moves(): Promise<PairMove[]> {
    const items = await this.#entity(PAIR_ENTITY);
    return items.flatMap((item) => pairMoveOfItem(item) ?? []).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /** Records a move of the live pair. */
  async addMove(move: PairMove): Promise<void> {
    const client = await this.dynamodb();
    await callAws(this.#call('dynamodb:PutItem'), () =>
      client.send(
        new PutItemCommand({ TableName: this.table, Item: marshall(pairItem(move, randomUUID()), { removeUndefinedValues: true }) }),
      ),
    );
  }

  /**
   * Runs `work` holding the stage-wide lock (`lock#cnf:stage`), a leased
   * item that its heartbeat keeps alive, as the admin function's task locks.
   *
   * @throws TryAgainError (75) naming the holder when another holds it.
   */
  async withStageLock<T>(holder: StageLockHolder, work: () => Promise<T>): Promise<T> {
    const ledger = await this.#ledger();
    const lock = await callAws(this.#call('dynamodb:PutItem'), () =>
      ledger.acquireLock(STAGE_LOCK, { ...holder, since: new Date().toISOString() }),
    );
    if (!lock.acquired)
      throw new TryAgainError(
        `Stage ${this.stage} is being changed by ${lock.holder.runId} (${lock.holder.caller}, since ${lock.holder.since}); try again when it is done.`,
      );
    try {
      return await work();
    } finally {
      // The change is done, or failed on its own: a lock that cannot be given back (throttled, denied) expires with its
      // lease, and never turns the change's outcome into a failure of its own.
      await lock.lease.release().catch(() => undefined);
    }
  }

  /** Claims a run exactly once per run id: the existing record when the id was used before. */
  async claimRun(record: RunRecord): Promise<RunRecord | undefined> {
    const ledger = await this.#ledger();
    const claim = await callAws(this.#call('dynamodb:PutItem'), () => ledger.claim(record));
    return claim.claimed ? undefined : claim.existing;
  }

  /** Records a claimed run's end. */
  async finishRun(record: RunRecord): Promise<void> {
    const ledger = await this.#ledger();
    await callAws(this.#call('dynamodb:PutItem'), () => ledger.finish(record));
  }

  async #ledger(): Promise<DynamoLedger> {
    return new DynamoLedger(this.table, await this.dynamodb());
  }

  /** Every item of one `entity`, through the `byStartedAt` index, with the SDK's paginator. */
  async #entity(entity: string): Promise<Record<string, unknown>[]> {
    const client = await this.dynamodb();
    const index = LEDGER_TABLE.byStartedAt;
    return callAws(this.#call('dynamodb:Query'), async () => {
      const items: Record<string, unknown>[] = [];
      const pages = paginateQuery(
        { client },
        {
          TableName: this.table,
          IndexName: index.indexName,
          KeyConditionExpression: '#entity = :entity',
          ExpressionAttributeNames: { '#entity': index.partitionKey },
          ExpressionAttributeValues: marshall({ ':entity': entity }),
        },
      );
      for await (const page of pages) items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
      return items;
    });
  }

  #call(action: string) {
    return { action, resource: `table ${this.table}`, stage: this.stage };
  }
}

export { ConfigLedgerStore, NumbersTakenError };
