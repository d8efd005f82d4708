import { mkdir } from 'node:fs/promises';
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

/* Lambda's alias alphabet, starting with a letter, so that no alias is named like a property every object has (`__proto__`). */
const ALIAS_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;

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

/** Whether `name` may name an alias pair: a deploy refuses any other. */
function isAliasName(name: string): boolean {
  return ALIAS_NAME_PATTERN.test(name);
}

/** {@link moveAliasPair} for a caller that holds the state lock already (it is not re-entrant). */
async function moveAliasPairLocked(paths: LocalPaths, name: string, release: string): Promise<void> {
  if (!isAliasName(name)) {
    throw new UsageError(`An alias name is 1-128 letters, digits, '_' or '-', starting with a letter, got: ${JSON.stringify(name)}`);
  }
  const aliases = { ...(await readAliases(paths)), [name]: { web: release, admin: release } };
  await writeFileAtomic(paths.aliases, `${JSON.stringify(aliases, null, 2)}\n`);
}

export { isAliasName, moveAliasPair, moveAliasPairLocked, readAliasPair, readAliasTarget, readAliases };
export type { LocalAliases, LocalAliasPair };
