import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isReleaseId, KEPT_LOCAL_RELEASES } from '../../core/release.js';
import { FileLedger } from '../../runtime/ledger/file-ledger.js';
import { readAliases } from './alias-store.js';
import { LocalParameterStore } from './local-parameters.js';
import type { LocalPaths } from './local-paths.js';
import { listReleases, type StoredRelease } from './release-store.js';

/**
 * Removes the local stage's releases that nothing needs any more: it keeps
 * the {@link KEPT_LOCAL_RELEASES} newest (by when each was first stored), those
 * of the live pair's last {@link KEPT_LOCAL_RELEASES} moves (what a rollback goes
 * back to), every release an alias pair serves, and every release a run the
 * ledger shows running uses. A rollback to a removed release says the stage no longer
 * holds its bundle; a deploy of its code stores it again. Each release is
 * renamed aside before it is deleted, so that none is ever seen half
 * removed. A deploy that stored a new release calls this, holding the state
 * lock that alias pairs move under; a release that cannot be removed (its
 * directory not writable) stays, and so does every release when what is in
 * use cannot be read (a damaged record).
 *
 * @returns the removed releases, newest first.
 */
async function pruneReleases(paths: LocalPaths): Promise<string[]> {
  let stored: StoredRelease[];
  let needed: Set<string>;
  try {
    // Counted by name first: most deploys find few releases, and read no record for it.
    if ((await readdir(paths.releases)).filter(isReleaseId).length <= KEPT_LOCAL_RELEASES) return [];
    stored = await listReleases(paths);
    if (stored.length <= KEPT_LOCAL_RELEASES) return [];
    needed = await neededReleases(paths);
  } catch {
    // State that cannot be read (a damaged record, the ledger's or a release's) cannot tell what is in use: all stays.
    return [];
  }
  const removed: string[] = [];
  for (const { release } of stored.slice(KEPT_LOCAL_RELEASES)) {
    if (needed.has(release)) continue;
    const aside = join(paths.releases, `.pruned-${release}-${process.pid}`);
    try {
      await rename(join(paths.releases, release), aside);
    } catch {
      continue;
    }
    removed.push(release);
    await rm(aside, { recursive: true, force: true }).catch(() => undefined);
  }
  return removed;
}

/** The releases in use: an alias pair's, the live pair's last moves', a running run's. */
async function neededReleases(paths: LocalPaths): Promise<Set<string>> {
  const needed = new Set<string>();
  for (const pair of Object.values(await readAliases(paths))) {
    needed.add(pair.web);
    needed.add(pair.admin);
  }
  for (const move of (await new LocalParameterStore(paths.parameters).moves()).slice(-KEPT_LOCAL_RELEASES)) needed.add(move.release);
  for (const run of await new FileLedger(paths.ledger).list({ status: 'running' })) needed.add(run.release);
  return needed;
}

export { pruneReleases };
