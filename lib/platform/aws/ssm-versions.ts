import {
  GetParameterCommand,
  GetParametersCommand,
  PutParameterCommand,
  paginateGetParameterHistory,
  paginateGetParametersByPath,
  type SSMClient,
} from './sdk/ssm.js';
import type { ConfigVersionKey } from '../../core/config-version.js';
import { LIVE_PAIR_KEY, parseLivePairRecord, type LivePairRecord } from '../../core/live-pair-record.js';
import { RESERVED_KEY_PREFIX } from '../../core/parameter-set.js';
import { callAws, isNotFound, translateAwsError } from './aws-errors.js';

/** GetParameters takes at most this many names. */
const NAMES_PER_GET = 10;

/** A stage's parameter path and where errors name it. */
interface SsmScope {
  readonly ssm: SSMClient;
  /** `/<app>/<stage>/`. */
  readonly path: string;
  readonly stage: string;
}

/** One value read by `name:version` selector; a secure one is not decrypted (the CLI never needs its value). */
interface SelectedValue {
  readonly key: string;
  readonly version: number;
  readonly secure: boolean;
  /** The plain value; a secure one's ciphertext is never kept. */
  readonly value: string | undefined;
  /** When SSM wrote this version (ms since the epoch, `LastModifiedDate`), where it says. */
  readonly written?: number;
}

/** The stage's live-pair record (`_cnf/live`), or undefined when the stage has none yet. */
async function readLivePairRecord(scope: SsmScope): Promise<LivePairRecord | undefined> {
  const name = `${scope.path}${LIVE_PAIR_KEY}`;
  try {
    const answer = await scope.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: false }));
    return parseLivePairRecord(answer.Parameter?.Value);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, { action: 'ssm:GetParameter', resource: `parameter ${name}`, stage: scope.stage });
  }
}

/**
 * Writes the live-pair record: the one step that makes a config version live
 * for web and admin together. It holds two versions' selectors (about 40
 * bytes per key each): past a Standard parameter's 4 KB (some 45 keys),
 * `Intelligent-Tiering` makes it an Advanced one (8 KB, billed monthly).
 */
async function writeLivePairRecord(scope: SsmScope, record: LivePairRecord): Promise<void> {
  const name = `${scope.path}${LIVE_PAIR_KEY}`;
  await callAws({ action: 'ssm:PutParameter', resource: `parameter ${name}`, stage: scope.stage }, () =>
    scope.ssm.send(
      new PutParameterCommand({ Name: name, Value: JSON.stringify(record), Type: 'String', Overwrite: true, Tier: 'Intelligent-Tiering' }),
    ),
  );
}

/**
 * Every config key under the path with the version and type SSM holds now
 * (the reserved `_cnf/` left out): what a stage's first config version is made of.
 */
async function currentSelectors(scope: SsmScope): Promise<Record<string, ConfigVersionKey>> {
  const keys: Record<string, ConfigVersionKey> = {};
  await callAws({ action: 'ssm:GetParametersByPath', resource: `path ${scope.path}`, stage: scope.stage }, async () => {
    const pages = paginateGetParametersByPath({ client: scope.ssm }, { Path: scope.path, Recursive: true, WithDecryption: false });
    for await (const page of pages) {
      for (const parameter of page.Parameters ?? []) {
        const key = parameter.Name?.slice(scope.path.length);
        if (key === undefined || key.startsWith(RESERVED_KEY_PREFIX) || parameter.Version === undefined) continue;
        keys[key] = { version: parameter.Version, secure: parameter.Type === 'SecureString' };
      }
    }
  });
  return keys;
}

/**
 * The version and type SSM holds now of each of these keys, 10 names per
 * `GetParameters` (the calls in parallel), never decrypted: what a deploy's
 * declared parameters are after CloudFormation wrote them. A key with no
 * parameter is left out.
 */
async function latestSelectors(scope: SsmScope, keys: readonly string[]): Promise<Record<string, ConfigVersionKey>> {
  const chunks: string[][] = [];
  for (let start = 0; start < keys.length; start += NAMES_PER_GET) chunks.push(keys.slice(start, start + NAMES_PER_GET));
  const answers = await callAws({ action: 'ssm:GetParameters', resource: `path ${scope.path}`, stage: scope.stage }, () =>
    Promise.all(
      chunks.map((chunk) =>
        scope.ssm.send(new GetParametersCommand({ Names: chunk.map((key) => `${scope.path}${key}`), WithDecryption: false })),
      ),
    ),
  );
  const selectors: Record<string, ConfigVersionKey> = {};
  for (const parameter of answers.flatMap((answer) => answer.Parameters ?? [])) {
    const key = parameter.Name?.slice(scope.path.length);
    if (key === undefined || parameter.Version === undefined) continue;
    selectors[key] = { version: parameter.Version, secure: parameter.Type === 'SecureString' };
  }
  return selectors;
}

/**
 * Reads the values the selectors name, 10 `name:version` selectors per
 * `GetParameters`, the calls in parallel (one round trip), never decrypted.
 *
 * @returns the values read, and the keys whose selected version SSM no longer holds
 */
async function readSelected(
  scope: SsmScope,
  keys: Readonly<Record<string, ConfigVersionKey>>,
): Promise<{ values: SelectedValue[]; gone: string[] }> {
  const wanted = Object.entries(keys).map(([key, selector]) => ({ key, selector, name: `${scope.path}${key}:${selector.version}` }));
  const chunks: (typeof wanted)[] = [];
  for (let start = 0; start < wanted.length; start += NAMES_PER_GET) chunks.push(wanted.slice(start, start + NAMES_PER_GET));
  const answers = await callAws({ action: 'ssm:GetParameters', resource: `path ${scope.path}`, stage: scope.stage }, () =>
    Promise.all(
      chunks.map((chunk) => scope.ssm.send(new GetParametersCommand({ Names: chunk.map(({ name }) => name), WithDecryption: false }))),
    ),
  );
  const found = new Map<string, { value: string | undefined; written?: number }>();
  for (const parameter of answers.flatMap((answer) => answer.Parameters ?? [])) {
    if (parameter.Name !== undefined && parameter.Version !== undefined)
      found.set(`${parameter.Name}:${parameter.Version}`, {
        value: parameter.Type === 'SecureString' ? undefined : (parameter.Value ?? ''),
        ...writtenAt(parameter.LastModifiedDate),
      });
  }
  const values: SelectedValue[] = [];
  const gone: string[] = [];
  for (const { key, selector, name } of wanted) {
    const held = found.get(name);
    if (held === undefined) gone.push(key);
    else values.push({ key, version: selector.version, secure: selector.secure, ...held });
  }
  return { values, gone: gone.sort() };
}

/**
 * The versions SSM still holds of one parameter: each version's plain value
 * (a secure one's is never kept), and when SSM wrote it (ms since the epoch,
 * `LastModifiedDate`), where it says.
 */
type HeldVersions = ReadonlyMap<number, { readonly secure: boolean; readonly value: string | undefined; readonly written?: number }>;

/**
 * The versions SSM still holds of a key's parameter (at most 100), through
 * `GetParameterHistory` with the SDK's paginator, never decrypted. A
 * parameter that no longer exists holds none.
 */
async function heldVersions(scope: SsmScope, key: string): Promise<HeldVersions> {
  const held = new Map<number, { secure: boolean; value: string | undefined; written?: number }>();
  try {
    const pages = paginateGetParameterHistory(
      { client: scope.ssm },
      { Name: `${scope.path}${key}`, WithDecryption: false, MaxResults: 50 },
    );
    for await (const page of pages) {
      for (const parameter of page.Parameters ?? []) {
        if (parameter.Version === undefined) continue;
        const secure = parameter.Type === 'SecureString';
        held.set(parameter.Version, {
          secure,
          value: secure ? undefined : (parameter.Value ?? ''),
          ...writtenAt(parameter.LastModifiedDate),
        });
      }
    }
  } catch (error) {
    if (!isNotFound(error))
      throw translateAwsError(error, { action: 'ssm:GetParameterHistory', resource: `parameter ${scope.path}${key}`, stage: scope.stage });
  }
  return held;
}

/* SSM's `LastModifiedDate` of a parameter version, as the `written` field of what is read of it: none where SSM says none. */
function writtenAt(date: Date | undefined): { written?: number } {
  const written = date?.getTime();
  return written === undefined || Number.isNaN(written) ? {} : { written };
}

export { currentSelectors, heldVersions, latestSelectors, readLivePairRecord, readSelected, writeLivePairRecord };
export type { HeldVersions, SelectedValue, SsmScope };
