/*
 * Where a config version lives in the run ledger table: its partition key.
 * A module of its own, without the item schemas of `config-ledger.ts`, so
 * that the runtime's reader of an older config version (which the web
 * function may load) carries no schema library.
 */

/** The prefix of every config version's partition key (IAM `dynamodb:LeadingKeys` matches it). */
const CONFIG_ITEM_PREFIX = 'config#';

/** The partition key of config version `version`'s item. */
function configItemKey(version: number): string {
  return `${CONFIG_ITEM_PREFIX}v${version}`;
}

export { CONFIG_ITEM_PREFIX, configItemKey };
