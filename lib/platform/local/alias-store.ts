import { mkdir } from 'node:fs/promises';
import { ALIAS_NAME_RULE, isAliasName } from '../../core/alias-name.js';
import * as z from 'zod/mini';
import { UsageError } from '../../core/errors.js';
import { isReleaseId } from '../../core/release.js';
import { writeFileAtomic } from '../../core/files/atomic-file.js';
import type { LocalPaths } from './local-paths.js';
import { ownEntries, readStateFile, stateFault } from './local-state.js';
import { withStateLock } from './state-lock.js';

/** Where one local alias pair points: a release for each function. */
interface LocalAliasPair {
  readonly web: string;
  readonly admin: string;
}

/** Every local alias pair, by name. */
type LocalAliases = Readonly<Record<string, LocalAliasPair>>;

const releaseId = z.string().check(z.refine(isReleaseId, { message: 'expected a release id (r- and 12 hex digits)' }));

/** `aliases.json`: `{"live": {"web": "r-…", "admin": "r-…"}, …}`. */
const aliasesSchema = z.record(z.string(), z.object({ web: releaseId, admin: releaseId }));

/**
 * The local alias pairs; none before the first deploy. The object has no
 * prototype: indexing it with a name the user typed finds only alias pairs.
 */
async function readAliases(paths: LocalPaths): Promise<LocalAliases> {
  return ownEntries((await readStateFile(paths.aliases, aliasesSchema)) ?? {});
}

/** The alias pair `name`, or undefined when there is no such alias pair (never an inherited property). */
async function readAliasPair(paths: LocalPaths, name: string): Promise<LocalAliasPair | undefined> {
  const aliases = await readAliases(paths);
  return Object.hasOwn(aliases, name) ? aliases[name] : undefined;
}

/** The release `web:<name>` points at, or undefined when there is no such alias pair. */
async function readAliasTarget(paths: LocalPaths, name: string): Promise<string | undefined> {
  return (await readAliasPair(paths, name))?.web;
}

/**
 * Points both halves of the alias pair `name` at `release`, together.
 *
 * @throws UsageError when `name` is not an alias name (letters, digits, `_` and `-`, starting with a letter).
 */
async function moveAliasPair(paths: LocalPaths, name: string, release: string): Promise<void> {
  try {
    await mkdir(paths.stageDir, { recursive: true });
    await withStateLock(paths.stageDir, async () => moveAliasPairLocked(paths, name, release));
  } catch (error) {
    throw stateFault(error, paths.aliases);
  }
}

/** {@link moveAliasPair} for a caller that holds the state lock already (it is not re-entrant). */
async function moveAliasPairLocked(paths: LocalPaths, name: string, release: string): Promise<void> {
  if (!isAliasName(name)) {
    throw new UsageError(`An alias name is ${ALIAS_NAME_RULE}, got: ${JSON.stringify(name)}`);
  }
  const aliases = { ...(await readAliases(paths)), [name]: { web: release, admin: release } };
  await writeFileAtomic(paths.aliases, `${JSON.stringify(aliases, null, 2)}\n`);
}

export { moveAliasPair, moveAliasPairLocked, readAliasPair, readAliasTarget, readAliases };
export type { LocalAliases, LocalAliasPair };
