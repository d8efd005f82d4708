import * as z from 'zod/mini';
import type { ConfigVersion } from './config-version.js';
import { CONFIG_ITEM_PREFIX, configItemKey } from './config-item-key.js';
import { LEDGER_TABLE } from './ledger-table.js';
import { useSchemaMessages } from './schema-messages.js';

/*
 * The config history of an AWS stage in its run ledger table: one item per
 * config version and one per move of the live pair. The CLI writes them and
 * the admin runtime reads a config version's selectors from them; this module
 * owns their layout.
 *
 * Items (beside the runs and locks of `ledger-table.ts`):
 * - a config version: `pk` = `config#v<N>`, `entity` = `config`, `startedAt`
 *   = its creation time, and the {@link ConfigVersion} fields. Created with
 *   `attribute_not_exists(pk)`, so two concurrent changes never make the same N.
 *   A change that failed before its version went live writes it once more,
 *   with `neverLive`, under the stage lock (the same `PutItem`, conditioned
 *   on its hash): the number stays taken, and no later change reuses it.
 * - a move of the live pair: `pk` = `pair#<at>#<id>`, `entity` = `pair`,
 *   `startedAt` = when, and the {@link PairMove} fields.
 *
 * - the live-alias guard's record: `pk` = `deploy#live-aliases`, what the
 *   live aliases served before the deploy in progress (written and read by
 *   the construct's guard only; operators cannot write it).
 *
 * The first two are listed through the `byStartedAt` index with their `entity` (runs
 * are `entity` = `run` there), queried, never scanned; neither expires.
 */

/** The `entity` of a config version's item. */
const CONFIG_ENTITY = 'config';
/** The `entity` of a live-pair move's item. */
const PAIR_ENTITY = 'pair';
/** The name of the stage-wide lock (`lock#cnf:stage`) that config changes, rollbacks and their release phase take. */
const STAGE_LOCK = 'cnf:stage';

/** The partition key of the live-alias guard's record: what the aliases served before the deploy in progress. */
const DEPLOY_GUARD_KEY = 'deploy#live-aliases';

/** The partition key of a live-pair move's item. */
function pairItemKey(at: string, id: string): string {
  return `pair#${at}#${id}`;
}

/** The key prefixes the operator writes in the ledger table (IAM `dynamodb:LeadingKeys`). */
const OPERATOR_ITEM_PREFIXES = [CONFIG_ITEM_PREFIX, 'pair#', `lock#${STAGE_LOCK}`, 'run#'] as const;

/** One move of an AWS stage's live pair: a config change, a rollback, or a deploy noticed. */
interface PairMove {
  readonly release: string;
  readonly config: number;
  /** ISO 8601. */
  readonly at: string;
  readonly cause: 'config' | 'rollback' | 'deploy';
  /** Who moved it (an IAM ARN). */
  readonly by: string;
  /** The rollback's run id. */
  readonly runId?: string;
  readonly reason?: string;
}

/** A version number: 1, 2, ... */
const versionNumber = (): z.ZodMiniInt => z.int().check(z.minimum(1));

const keySchema = z.object({ version: versionNumber(), secure: z.boolean() });

const configItemSchema = z.object({
  version: versionNumber(),
  keys: z.record(z.string(), keySchema),
  hash: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  cause: z.enum(['set', 'unset', 'deploy', 'config-rollback', 'initial']),
  changed: z.array(z.string()),
  restores: z.optional(versionNumber()),
  neverLive: z.optional(z.literal(true)),
});

const pairItemSchema = z.object({
  release: z.string(),
  config: versionNumber(),
  at: z.string(),
  cause: z.enum(['config', 'rollback', 'deploy']),
  by: z.string(),
  runId: z.optional(z.string()),
  reason: z.optional(z.string()),
});

/** A config version as its ledger item (unmarshalled). */
function configItem(version: ConfigVersion): Record<string, unknown> {
  return {
    [LEDGER_TABLE.partitionKey]: configItemKey(version.version),
    [LEDGER_TABLE.byStartedAt.partitionKey]: CONFIG_ENTITY,
    [LEDGER_TABLE.byStartedAt.sortKey]: version.createdAt,
    ...version,
  };
}

/** The config version an item holds, or undefined when it is not one. */
function configVersionOfItem(item: Record<string, unknown>): ConfigVersion | undefined {
  useSchemaMessages();
  const parsed = configItemSchema.safeParse(item);
  return parsed.success ? parsed.data : undefined;
}

/** A live-pair move as its ledger item (unmarshalled). */
function pairItem(move: PairMove, id: string): Record<string, unknown> {
  return {
    [LEDGER_TABLE.partitionKey]: pairItemKey(move.at, id),
    [LEDGER_TABLE.byStartedAt.partitionKey]: PAIR_ENTITY,
    [LEDGER_TABLE.byStartedAt.sortKey]: move.at,
    ...move,
  };
}

/** The live-pair move an item holds, or undefined when it is not one. */
function pairMoveOfItem(item: Record<string, unknown>): PairMove | undefined {
  useSchemaMessages();
  const parsed = pairItemSchema.safeParse(item);
  return parsed.success ? (parsed.data as PairMove) : undefined;
}

export {
  CONFIG_ENTITY,
  configItem,
  configVersionOfItem,
  DEPLOY_GUARD_KEY,
  OPERATOR_ITEM_PREFIXES,
  PAIR_ENTITY,
  pairItem,
  pairItemKey,
  pairMoveOfItem,
  STAGE_LOCK,
};
export type { PairMove };
