import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bundle } from '../../bundle/build-bundle.js';
import { fingerprintOf, type SourceStamps } from '../../bundle/source-fingerprint.js';
import type { GitDescription } from '../../bundle/git-describe.js';
import { writeBundleFiles } from '../../bundle/write-bundle.js';
import * as z from 'zod/mini';
import { UnavailableError } from '../../core/errors.js';
import { isReleaseId } from '../../core/release.js';
import type { TaskCatalog } from '../../core/task-catalog.js';
import { writeFileAtomic } from '../../core/files/atomic-file.js';
import { CheckedHashes } from '../../core/files/checked-hashes.js';
import { pathJoiner } from '../../core/files/path-joiner.js';
import { bundleDir, type LocalPaths } from './local-paths.js';
import { readStateFile } from './local-state.js';

/** What the local stage knows of a stored release. */
interface StoredRelease {
  readonly release: string;
  /** ISO 8601: when it was first stored. */
  readonly createdAt: string;
  /** The fingerprint of the sources it was built from, to tell whether the working tree differs. */
  readonly sourceFingerprint: string;
  /**
   * The source files it was built from, relative to the project root: what a
   * record without {@link StoredRelease.sources} fingerprints the tree by.
   *
   * @default - not recorded (cnf-admin now records the stamps of the sources, which name every source that counts)
   */
  readonly inputs?: readonly string[];
  /**
   * What the build saw of each source that counts (size, modification time,
   * hash), so that telling whether the working tree differs takes a stat per file.
   *
   * @default - not recorded (a release stored by an older cnf-admin): every source is hashed
   */
  readonly sources?: SourceStamps;
  readonly catalog: TaskCatalog;
  /**
   * Every file of the bundle, with its size and SHA-256, to tell a damaged
   * release (a file deleted or changed since it was stored) from a whole one.
   *
   * @default - not recorded (a release stored by an older cnf-admin): only its entry points are checked
   */
  readonly files?: readonly StoredFile[];
  /**
   * The git commit of the checkout it was first built from, whichever alias
   * pair it went to (`releases` shows it).
   *
   * @default - not recorded (outside a git checkout, or stored by an older cnf-admin: `releases` then shows the commit a move of the live pair recorded)
   */
  readonly git?: GitDescription;
}

/** One file of a stored bundle, as `release.json` records it. */
interface StoredFile {
  /** Relative to the bundle root, with `/`. */
  readonly path: string;
  readonly size: number;
  /** Hex SHA-256 of the content. */
  readonly sha256: string;
  /**
   * Its modification time when stored: a file with its size and this time
   * is taken as unchanged without hashing it.
   *
   * @default - not recorded (a release stored by an older cnf-admin): a content check hashes it
   */
  readonly mtimeMs?: number;
}

const RELEASE_FILE = 'release.json';

/*
 * A record's lists hold an entry per source file, per bundle file and (in
 * an older record) per input, node_modules included: hundreds to thousands
 * of entries, read by every `invoke` and `deploy`. Each list is checked in
 * one loop: a schema per entry costs zod a cold build and run in every
 * process, milliseconds that a local invoke waits for.
 */
const HEX_SHA256 = /^[0-9a-f]{64}$/;

type Fields = Readonly<Record<string, unknown>>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPathList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isSourceStamps(value: unknown): value is SourceStamps {
  return (
    isFields(value) &&
    Object.values(value).every(
      (stamp) =>
        isFields(stamp) &&
        typeof stamp.size === 'number' &&
        typeof stamp.mtimeMs === 'number' &&
        (stamp.ctimeMs === undefined || typeof stamp.ctimeMs === 'number') &&
        typeof stamp.sha256 === 'string',
    )
  );
}

function isStoredFile(file: unknown): file is StoredFile {
  return (
    isFields(file) &&
    typeof file.path === 'string' &&
    file.path !== '' &&
    Number.isInteger(file.size) &&
    (file.size as number) >= 0 &&
    typeof file.sha256 === 'string' &&
    HEX_SHA256.test(file.sha256) &&
    (file.mtimeMs === undefined || typeof file.mtimeMs === 'number')
  );
}

/** `release.json`, checked when read: a malformed one is corrupted state (69), not a crash. */
const storedReleaseSchema = z.looseObject({
  release: z.string().check(z.refine(isReleaseId, { message: 'expected a release id (r- and 12 hex digits)' })),
  createdAt: z.string().check(z.refine((text) => !Number.isNaN(Date.parse(text)), { message: 'expected an ISO 8601 time' })),
  sourceFingerprint: z.string(),
  inputs: z.optional(z.custom<string[]>(isPathList, { message: 'expected a list of paths' })),
  sources: z.optional(z.custom<SourceStamps>(isSourceStamps, { message: 'expected a size, time and SHA-256 for each source file' })),
  catalog: z.looseObject({
    tasks: z.array(z.looseObject({ name: z.string(), description: z.string() })),
    scripts: z._default(z.array(z.looseObject({ name: z.string(), description: z.string() })), []),
  }),
  files: z.optional(
    z.custom<StoredFile[]>((value) => Array.isArray(value) && value.every(isStoredFile), {
      message: 'expected a path, size and SHA-256 (64 hex digits) for each bundle file',
    }),
  ),
  git: z.optional(z.object({ sha: z.string(), description: z.string() })),
});

/* What a release stored before files were recorded must have, at least. */
const ENTRY_FILES = ['admin.mjs', 'web.mjs', 'manifest.json'];

/** The SHA-256 of a bundle file's bytes, as {@link CheckedHashes} keeps it. */
const BUNDLE_FILE_HASH = 'bundle-file';

/**
 * Stores a bundle as a release, unless a release with its id is stored
 * already (the same id means the same bytes). Resolves to the stored release
 * and whether it is new.
 */
async function storeRelease(
  paths: LocalPaths,
  bundle: Bundle,
  sources: SourceStamps,
  git?: GitDescription,
): Promise<{ stored: StoredRelease; isNew: boolean }> {
  const sourceFingerprint = fingerprintOf(sources);
  const existing = await readRelease(paths, bundle.release);
  // A damaged copy of the same release (files deleted or changed), or one that
  // does not record its files, is stored again whole: a redeploy repairs it.
  const repair = existing !== undefined && (existing.files === undefined || (await bundleDamage(paths, existing)) !== undefined);
  const directory = join(paths.releases, bundle.release);
  if (repair) {
    await rm(directory, { recursive: true, force: true });
  } else if (existing === undefined && existsSync(directory)) {
    // Its directory without its record (moved aside, as a damaged record's hint says): kept aside whole, and the release stored again.
    await rename(directory, join(paths.releases, `.damaged-${bundle.release}-${Date.now()}`));
  } else if (existing !== undefined) {
    // The same bytes built from changed sources (a comment, say): remember the
    // sources this build saw, so the working tree no longer counts as different
    // (and their times, so that telling so again takes a stat per file).
    if (existing.sourceFingerprint === sourceFingerprint && sameStamps(existing.sources, sources))
      return { stored: existing, isNew: false };
    const { inputs: _unneeded, ...kept } = existing;
    const updated: StoredRelease = { ...kept, sourceFingerprint, sources };
    await writeFileAtomic(join(directory, RELEASE_FILE), `${JSON.stringify(updated, null, 2)}\n`);
    return { stored: updated, isNew: false };
  }
  // Built aside and renamed into place, so a half-written release never shows.
  const staging = join(paths.releases, `.staging-${bundle.release}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  let stored: StoredRelease;
  try {
    stored = await stageRelease(staging, bundle, existing, sourceFingerprint, sources, git);
  } catch (error) {
    // A write that failed (a full disk) takes its half-written copy with it: left there, it would hold the space it took.
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  await mkdir(paths.releases, { recursive: true });
  try {
    await rename(staging, directory);
  } catch (error) {
    // A concurrent deploy stored the same release first: same id, same bytes.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(join(directory, RELEASE_FILE))) throw error;
  }
  return { stored, isNew: true };
}

/** Writes the release into `staging`, its bundle and its record, and resolves to that record. */
async function stageRelease(
  staging: string,
  bundle: Bundle,
  existing: StoredRelease | undefined,
  sourceFingerprint: string,
  sources: SourceStamps,
  git: GitDescription | undefined,
): Promise<StoredRelease> {
  await writeBundleFiles(join(staging, 'bundle'), bundle.files);
  const files: StoredFile[] = [];
  for (const file of bundle.files) {
    files.push({
      path: file.path,
      size: file.contents.byteLength,
      sha256: createHash('sha256').update(file.contents).digest('hex'),
      mtimeMs: (await stat(join(staging, 'bundle', file.path))).mtimeMs,
    });
  }
  const stored: StoredRelease = {
    release: bundle.release,
    createdAt: existing?.createdAt ?? new Date().toISOString(),
    sourceFingerprint,
    sources,
    catalog: bundle.catalog,
    files,
    // A repaired release keeps the commit it was first built from.
    ...((existing?.git ?? git) === undefined ? {} : { git: existing?.git ?? git }),
  };
  await writeFileAtomic(join(staging, RELEASE_FILE), `${JSON.stringify(stored, null, 2)}\n`);
  return stored;
}

function sameStamps(recorded: SourceStamps | undefined, current: SourceStamps): boolean {
  return recorded !== undefined && JSON.stringify(recorded) === JSON.stringify(current);
}

/**
 * A stored release, or undefined when there is none with that id.
 *
 * @throws UnavailableError (69) naming `release.json` when it is malformed, or records another release.
 */
async function readRelease(paths: LocalPaths, release: string): Promise<StoredRelease | undefined> {
  if (!isReleaseId(release)) return undefined;
  const file = join(paths.releases, release, RELEASE_FILE);
  const stored = await readStateFile(file, storedReleaseSchema);
  if (stored !== undefined && stored.release !== release) {
    throw new UnavailableError(`The local stage's state is corrupted: ${file} records release ${stored.release}, not ${release}.`, {
      hint: 'Delete that release directory and deploy again: cnf-admin deploy --stage local',
    });
  }
  return stored as StoredRelease | undefined;
}

/**
 * What is wrong with a stored release's bundle on disk, or undefined when it
 * is whole: files deleted, truncated or changed since it was stored. Each
 * file costs a stat; only one whose time is not the one recorded is hashed,
 * once (the project's {@link CheckedHashes} keep its hash while it stays as
 * it is: a copied `.cnf/` is read once, not at every run).
 */
async function bundleDamage(paths: LocalPaths, stored: StoredRelease): Promise<string | undefined> {
  const dir = bundleDir(paths, stored.release);
  const expected = stored.files ?? ENTRY_FILES.map((path) => ({ path, size: undefined, sha256: undefined, mtimeMs: undefined }));
  const hashes = new CheckedHashes(paths.stateDir);
  const missing: string[] = [];
  const changed: string[] = [];
  const pathOf = pathJoiner(dir);
  for (const file of expected) {
    const target = pathOf(file.path);
    let stats: Stats;
    try {
      // One stat call per file, made at once: every run pays for this check.
      stats = statSync(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
      missing.push(file.path);
      continue;
    }
    if (file.size !== undefined && stats.size !== file.size) changed.push(file.path);
    else if (file.sha256 !== undefined && stats.mtimeMs !== file.mtimeMs) {
      const sha256 = () => createHash('sha256').update(readFileSync(target)).digest('hex');
      if (hashes.hashOf(target, stats, BUNDLE_FILE_HASH, sha256) !== file.sha256) changed.push(file.path);
    }
  }
  hashes.save();
  if (missing.length === 0 && changed.length === 0) return undefined;
  const list = (names: string[]): string => `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;
  return [
    missing.length === 0 ? undefined : `${missing.length} of its ${expected.length} files are missing (${list(missing)})`,
    changed.length === 0 ? undefined : `${changed.length} changed since it was stored (${list(changed)})`,
  ]
    .filter((part) => part !== undefined)
    .join('; ');
}

/**
 * Checks that a stored release can run.
 *
 * @throws UnavailableError (69) saying what is damaged and to redeploy.
 */
async function assertBundleWhole(paths: LocalPaths, stored: StoredRelease): Promise<void> {
  const damage = await bundleDamage(paths, stored);
  if (damage === undefined) return;
  throw new UnavailableError(`Release ${stored.release} is damaged: ${damage} in ${bundleDir(paths, stored.release)}.`, {
    hint: 'A deploy of the sources it was built from repairs it (the same sources build the same release): cnf-admin deploy --stage local when the working tree built it; else check out its commit (cnf-admin releases names it) and deploy to a pair of its own, which leaves the live pair where it is: cnf-admin deploy --alias repair --stage local.',
  });
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

export { assertBundleWhole, bundleDamage, listReleases, readRelease, storeRelease };
export type { StoredFile, StoredRelease };
