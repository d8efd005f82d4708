import { mkdir } from 'node:fs/promises';
import { isReleaseId } from '../../core/release.js';
import { writeFileAtomic } from '../../runtime/ledger/atomic-file.js';
import type { LocalPaths } from './local-paths.js';
import { isRecord, readStateFile } from './local-state.js';
import { withStateLock } from './state-lock.js';

/** Where one local alias pair points: a release for each function. */
interface LocalAliasPair {
  readonly web: string;
  readonly admin: string;
}

/** Every local alias pair, by name. */
type LocalAliases = Readonly<Record<string, LocalAliasPair>>;

function checkAliases(value: unknown): string | undefined {
  if (!isRecord(value)) return 'expected an object of alias pairs';
  for (const [name, pair] of Object.entries(value)) {
    if (!isRecord(pair) || !isReleaseId(pair.web) || !isReleaseId(pair.admin)) {
      return `alias pair ${JSON.stringify(name)} must be {"web": "r-…", "admin": "r-…"}`;
    }
  }
  return undefined;
}

/** The local alias pairs; none before the first deploy. */
async function readAliases(paths: LocalPaths): Promise<LocalAliases> {
  return (await readStateFile<LocalAliases>(paths.aliases, checkAliases)) ?? {};
}

/** The release `web:<name>` points at, or undefined when there is no such alias pair. */
async function readAliasTarget(paths: LocalPaths, name: string): Promise<string | undefined> {
  return (await readAliases(paths))[name]?.web;
}

/** Points both halves of the alias pair `name` at `release`, together. */
async function moveAliasPair(paths: LocalPaths, name: string, release: string): Promise<void> {
  await mkdir(paths.stageDir, { recursive: true });
  await withStateLock(paths.stageDir, async () => {
    const aliases = await readAliases(paths);
    await writeFileAtomic(paths.aliases, `${JSON.stringify({ ...aliases, [name]: { web: release, admin: release } }, null, 2)}\n`);
  });
}

export { moveAliasPair, readAliasTarget, readAliases };
export type { LocalAliases, LocalAliasPair };
