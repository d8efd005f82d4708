import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bundle } from '../../bundle/build-bundle.js';
import { writeBundleFiles } from '../../bundle/write-bundle.js';
import { isReleaseId } from '../../core/release.js';
import type { TaskCatalog } from '../../core/task-catalog.js';
import { writeFileAtomic } from '../../runtime/ledger/atomic-file.js';
import type { LocalPaths } from './local-paths.js';
import { isRecord, readStateFile } from './local-state.js';

/** What the local stage knows of a stored release. */
interface StoredRelease {
  readonly release: string;
  /** ISO 8601: when it was first stored. */
  readonly createdAt: string;
  /** The fingerprint of the sources it was built from, to tell whether the working tree differs. */
  readonly sourceFingerprint: string;
  /** The source files it was built from, relative to the project root. */
  readonly inputs: readonly string[];
  readonly catalog: TaskCatalog;
}

const RELEASE_FILE = 'release.json';

/** The directory holding a release's bundle: what Lambda would unpack to /var/task. */
function bundleDir(paths: LocalPaths, release: string): string {
  return join(paths.releases, release, 'bundle');
}

/**
 * Stores a bundle as a release, unless a release with its id is stored
 * already (the same id means the same bytes). Resolves to the stored release
 * and whether it is new.
 */
async function storeRelease(
  paths: LocalPaths,
  bundle: Bundle,
  sourceFingerprint: string,
): Promise<{ stored: StoredRelease; isNew: boolean }> {
  const existing = await readRelease(paths, bundle.release);
  if (existing !== undefined) {
    // The same bytes built from changed sources (a comment, say): remember the
    // sources this build saw, so the working tree no longer counts as different.
    if (existing.sourceFingerprint === sourceFingerprint) return { stored: existing, isNew: false };
    const updated: StoredRelease = { ...existing, sourceFingerprint, inputs: bundle.inputs };
    await writeFileAtomic(join(paths.releases, bundle.release, RELEASE_FILE), `${JSON.stringify(updated, null, 2)}\n`);
    return { stored: updated, isNew: false };
  }
  const stored: StoredRelease = {
    release: bundle.release,
    createdAt: new Date().toISOString(),
    sourceFingerprint,
    inputs: bundle.inputs,
    catalog: bundle.catalog,
  };
  // Built aside and renamed into place, so a half-written release never shows.
  const staging = join(paths.releases, `.staging-${bundle.release}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await writeBundleFiles(join(staging, 'bundle'), bundle.files);
  await writeFileAtomic(join(staging, RELEASE_FILE), `${JSON.stringify(stored, null, 2)}\n`);
  await mkdir(paths.releases, { recursive: true });
  try {
    await rename(staging, join(paths.releases, bundle.release));
  } catch (error) {
    // A concurrent deploy stored the same release first: same id, same bytes.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(join(paths.releases, bundle.release, RELEASE_FILE))) throw error;
  }
  return { stored, isNew: true };
}

/** A stored release, or undefined when there is none with that id. */
async function readRelease(paths: LocalPaths, release: string): Promise<StoredRelease | undefined> {
  if (!isReleaseId(release)) return undefined;
  return readStateFile<StoredRelease>(join(paths.releases, release, RELEASE_FILE), (value) =>
    isRecord(value) && value.release === release && isRecord(value.catalog) && Array.isArray(value.inputs)
      ? undefined
      : 'expected {release, createdAt, sourceFingerprint, inputs, catalog}',
  );
}

/** Every stored release, newest first. */
async function listReleases(paths: LocalPaths): Promise<StoredRelease[]> {
  if (!existsSync(paths.releases)) return [];
  const releases: StoredRelease[] = [];
  for (const name of await readdir(paths.releases)) {
    const stored = await readRelease(paths, name);
    if (stored !== undefined) releases.push(stored);
  }
  return releases.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

export { bundleDir, listReleases, readRelease, storeRelease };
export type { StoredRelease };
