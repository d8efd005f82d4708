/*
 * The deployed config's custom resource provider. Unlike the release phase's
 * inline provider, esbuild bundles this module at synth with what it imports
 * from lib (the AWS SDK left to the Lambda runtime): a config version made by
 * a deploy must be the item `config set` makes and the live-pair record the
 * runtime reads, and those layouts have one owner each
 * (`core/config-ledger.ts`, `core/live-pair-record.ts`, written through
 * `platform/aws/`), which a copy in inline code would drift from.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { respond, type Outcome } from './cfn-response.js';
import {
  configVersionHash,
  configVersionLabel,
  makeConfigVersion,
  sortedConfigKeys,
  type ConfigVersionKey,
} from '../../core/config-version.js';
import { TryAgainError } from '../../core/errors.js';
import type { LivePairRecord } from '../../core/live-pair-record.js';
import { CONFIG_SWITCH_SECONDS } from '../../platform/aws/aws-config-versions.js';
import { ConfigLedgerStore } from '../../platform/aws/config-ledger-store.js';
import { latestSelectors, readLivePairRecord, writeLivePairRecord, type SsmScope } from '../../platform/aws/ssm-versions.js';

/** What the custom resource passes. */
interface DeployedConfigProperties {
  readonly ServiceToken: string;
  /** `/<app>/<stage>/`. */
  readonly ParameterPath: string;
  readonly Stage: string;
  /** The run ledger table, where config versions are kept. */
  readonly TableName: string;
  /** Each declared plain key, with a digest of its value (or the value itself when it is known only at deploy time). */
  readonly Declared: Readonly<Record<string, string>>;
}

/** What the provider works with; the tests pass their own clock and sleep. */
interface DeployedConfigDeps {
  readonly ssm: SSMClient;
  readonly dynamodb: DynamoDBClient;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** How long the provider waits for the stage-wide lock that a `config set` or a rollback holds (seconds). */
const LOCK_WAIT_SECONDS = 60;
/** Between two attempts at the lock. */
const LOCK_RETRY_MS = 2000;
/** How many numbers past the live version a new version tries (a rollback may have made the live one older than the newest). */
const NUMBER_PROBES = 200;
/**
 * Makes a config version of a deploy's declared parameters, as `config set`
 * makes one, when the stage keeps config versions (it has `_cnf/live`) and
 * a declared value changed: under the stage-wide lock, the `config#v<N>`
 * item (`cause` = `deploy`, by the stack), then `_cnf/live` with the new
 * selectors, switching at `from`. It answers once `from` has passed, so the
 * aliases, which depend on it, move to the new release when its config is
 * live for web and admin together.
 */
async function recordDeployedConfig(event: CloudFormationCustomResourceEvent, deps: DeployedConfigDeps): Promise<Outcome> {
  if (event.RequestType === 'Delete') return { Status: 'SUCCESS', Reason: 'Nothing is recorded when the declared parameters go.' };
  const props = event.ResourceProperties as unknown as DeployedConfigProperties;
  const old = event.RequestType === 'Update' ? (event.OldResourceProperties as Partial<DeployedConfigProperties>).Declared : undefined;
  const scope: SsmScope = { ssm: deps.ssm, path: props.ParameterPath, stage: props.Stage };
  if ((await readLivePairRecord(scope)) === undefined) {
    return {
      Status: 'SUCCESS',
      Reason: `Stage ${props.Stage} keeps no config versions yet (no ${props.ParameterPath}_cnf/live): its parameters are read as they are.`,
    };
  }
  const by = deployerOf(event.StackId);
  const ledger = new ConfigLedgerStore(async () => deps.dynamodb, props.TableName, props.Stage);
  const made = await withStageLockWaiting(ledger, { runId: `deploy-${event.RequestId}`, caller: by }, deps, async () => {
    const record = await readLivePairRecord(scope);
    if (record === undefined) return undefined;
    const keys = await deployedKeys(scope, record, props.Declared, old);
    if (configVersionHash(keys) === configVersionHash(record.keys)) return { record, version: undefined, from: undefined };
    const version = await ledger.add(
      (number) =>
        makeConfigVersion({
          version: number,
          keys,
          base: record.keys,
          cause: 'deploy',
          createdBy: by,
          createdAt: new Date(deps.now()).toISOString(),
        }),
      record.config,
      NUMBER_PROBES,
    );
    const from = new Date(deps.now() + CONFIG_SWITCH_SECONDS * 1000).toISOString();
    await writeLivePairRecord(scope, {
      release: record.release,
      config: version.version,
      keys: version.keys,
      from,
      previous: { config: record.config, keys: record.keys },
    });
    return { record, version, from };
  });
  if (made === undefined) return { Status: 'SUCCESS', Reason: `Stage ${props.Stage} has no _cnf/live any more: nothing is recorded.` };
  const { record, version, from } = made;
  if (version === undefined || from === undefined) {
    return {
      Status: 'SUCCESS',
      Reason: `No declared parameter changed: config ${configVersionLabel(record.config)} stays live.`,
      Data: { ConfigVersion: String(record.config) },
    };
  }
  await deps.sleep(Math.max(0, Date.parse(from) - deps.now()));
  return {
    Status: 'SUCCESS',
    Reason: `The deploy changed ${version.changed.join(', ')}: config ${configVersionLabel(version.version)} is live from ${from} (was ${configVersionLabel(record.config)}).`,
    Data: { ConfigVersion: String(version.version) },
  };
}

/**
 * The live version's selectors with the declared keys this deploy wrote at
 * the versions SSM holds now, and the keys it stopped declaring left out. On
 * an update only the keys whose value changed are taken: a declared key that
 * `config set` or a rollback moved since keeps its selector.
 */
async function deployedKeys(
  scope: SsmScope,
  record: LivePairRecord,
  declared: Readonly<Record<string, string>>,
  old: Readonly<Record<string, string>> | undefined,
): Promise<Record<string, ConfigVersionKey>> {
  const written = Object.keys(declared).filter((key) => old === undefined || old[key] !== declared[key]);
  const dropped = Object.keys(old ?? {}).filter((key) => !Object.hasOwn(declared, key));
  const now = written.length === 0 ? {} : await latestSelectors(scope, written);
  const keys: Record<string, ConfigVersionKey> = { ...record.keys, ...now };
  for (const key of dropped) delete keys[key];
  return sortedConfigKeys(keys);
}

/** Who a deploy's version names as its maker: the stack, as the release phase names its runs' caller. */
function deployerOf(stackId: string): string {
  return `cloudformation:${stackId.split('/')[1] ?? stackId}`;
}

/**
 * Runs `work` under the stage-wide lock, waiting for a `config set` or a
 * rollback that holds it to finish, {@link LOCK_WAIT_SECONDS} at most.
 *
 * @throws TryAgainError naming the holder when it is still held then.
 */
async function withStageLockWaiting<T>(
  ledger: ConfigLedgerStore,
  holder: { readonly runId: string; readonly caller: string },
  deps: DeployedConfigDeps,
  work: () => Promise<T>,
): Promise<T> {
  const until = deps.now() + LOCK_WAIT_SECONDS * 1000;
  for (;;) {
    let started = false;
    try {
      return await ledger.withStageLock(holder, () => {
        started = true;
        return work();
      });
    } catch (error) {
      if (started || !(error instanceof TryAgainError) || deps.now() >= until) throw error;
    }
    await deps.sleep(LOCK_RETRY_MS);
  }
}

const deps: DeployedConfigDeps = {
  ssm: new SSMClient({}),
  dynamodb: new DynamoDBClient({}),
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The provider: records the deploy's config version (when one is due) and answers CloudFormation. */
async function handler(event: CloudFormationCustomResourceEvent): Promise<void> {
  let outcome: Outcome;
  try {
    outcome = await recordDeployedConfig(event, deps);
  } catch (error) {
    const { name, message } = error as Error;
    outcome = { Status: 'FAILED', Reason: `The deploy's config version was not made: ${name === 'Error' ? '' : `${name}: `}${message}` };
  }
  console.log(JSON.stringify({ message: 'Deployed config outcome', requestType: event.RequestType, ...outcome }));
  await respond(event, outcome);
}

export { handler, recordDeployedConfig };
export type { DeployedConfigDeps, DeployedConfigProperties };
