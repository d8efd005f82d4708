import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckedHashes } from '../core/files/checked-hashes.js';
import { pathJoiner } from '../core/files/path-joiner.js';
import { PROJECT_FILE } from '../core/project.js';

/**
 * The files that count in every build, whatever it imports: the lockfile,
 * which stands for every installed dependency, and `cdk.json`, whose
 * `context.cnf` says what the bundle is built from (its entries, its asset
 * and script directories). Of `cdk.json` only that counts: see
 * {@link contentHash}.
 */
const ALWAYS_COUNTED: readonly string[] = ['package-lock.json', PROJECT_FILE];

/** What a build saw of one source file: enough to tell cheaply whether it changed since. */
interface SourceStamp {
  readonly size: number;
  readonly mtimeMs: number;
  /**
   * The inode's change time, which every write sets and no tool sets back:
   * an edit of the same size whose modification time was put back (`cp -p`,
   * `rsync -a`, `tar x`, `touch -d`) still moves it.
   *
   * @default - not recorded (a record of an older cnf-admin): size and modification time alone tell
   */
  readonly ctimeMs?: number;
  /** Hex SHA-256 of the content, or `missing` when the file did not exist. */
  readonly sha256: string;
}

/** The stamps of a build's sources, by path relative to the project root. */
type SourceStamps = Readonly<Record<string, SourceStamp>>;

const MISSING: SourceStamp = { size: -1, mtimeMs: -1, sha256: 'missing' };

/** The sources that count: each input outside `node_modules`, plus {@link ALWAYS_COUNTED}. */
function countedSources(inputs: readonly string[]): string[] {
  return [...new Set([...inputs.filter((input) => !input.split('/').includes('node_modules')), ...ALWAYS_COUNTED])].sort();
}

/**
 * The hash a stamp keeps of a file: of its bytes; of `cdk.json`, of its
 * `context.cnf` less the stages, which no bundle is built from (a stage's
 * settings, another stage, the CDK's own context change no release). A
 * `cdk.json` that is no JSON is hashed whole.
 */
function contentHash(path: string, file: string): string {
  const bytes = readFileSync(path);
  let hashed: string | Buffer = bytes;
  if (file === PROJECT_FILE) {
    try {
      const cnf = (JSON.parse(bytes.toString('utf8')) as { context?: { cnf?: unknown } } | null)?.context?.cnf;
      if (typeof cnf === 'object' && cnf !== null) {
        const { stages: _stages, ...settings } = cnf as Record<string, unknown>;
        hashed = JSON.stringify(settings);
      }
    } catch {
      // Not JSON: its bytes count, and the build that reads it says what is wrong.
    }
  }
  return createHash('sha256').update(hashed).digest('hex');
}

/** What {@link contentHash} computes, as {@link CheckedHashes} keeps it. */
const SOURCE_HASH = 'source';

/*
 * The stamp of a source changed while the build read it: what the build saw
 * of it is not known, so it counts as changed until the next build. Its size
 * and time match no file, and its hash none.
 */
const CHANGED_DURING_BUILD: SourceStamp = { size: -1, mtimeMs: -1, sha256: 'changed-during-build' };

/** The stamp of `file`; `changedSince`, when it says the file's time is one of a change the build may not have read, without hashing it. */
function stampOf(root: string, file: string, changedSince: (mtimeMs: number) => boolean = () => false): SourceStamp {
  const path = join(root, file);
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined || !stats.isFile()) return MISSING;
  if (changedSince(stats.mtimeMs)) return CHANGED_DURING_BUILD;
  return { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, sha256: contentHash(path, file) };
}

/*
 * How much earlier than the build's start a change may bear its time: the
 * file system keeps times from a clock that runs a tick (a few ms) behind.
 */
const CLOCK_TICK_MS = 5;

/**
 * Stamps every counted source of a build: size, modification time and
 * content hash. Stamped after the build, a source modified since `builtSince`
 * (when the build began, ms since the epoch) may hold what the build never
 * read: it is stamped as changed, so that the next check does not take the
 * tree for the release.
 */
function stampSources(root: string, inputs: readonly string[], builtSince?: number): SourceStamps {
  const now = Date.now();
  const during = (mtimeMs: number): boolean => builtSince !== undefined && mtimeMs >= builtSince - CLOCK_TICK_MS && mtimeMs <= now;
  return Object.fromEntries(countedSources(inputs).map((file) => [file, stampOf(root, file, during)]));
}

/** The fingerprint of a set of stamps: their paths and content hashes, in sorted order. */
function fingerprintOf(stamps: SourceStamps): string {
  const hash = createHash('sha256');
  for (const file of Object.keys(stamps).sort()) hash.update(`${file}\0${stamps[file]?.sha256 ?? 'missing'}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * A fingerprint of the sources a bundle was built from: the content of each
 * input outside `node_modules`, plus the lockfile and `cdk.json`'s build settings. When it differs from the
 * live release's, the working tree would build a different release. Files
 * the bundle does not import do not count, since they cannot change it.
 */
function sourceFingerprint(root: string, inputs: readonly string[]): string {
  return fingerprintOf(stampSources(root, inputs));
}

/**
 * The stamped sources that differ now, sorted: cheap enough for every
 * `invoke`. A file whose size and modification and change times match
 * its stamp is taken as unchanged (a stat call); only the others are
 * hashed, and count as changed when their content differs. `hashes` keeps
 * what was hashed: a copy of the project (new change times) is read once,
 * not at every check until a build stamps it again.
 */
function changedSources(root: string, stamps: SourceStamps, hashes: CheckedHashes): string[] {
  const changed: string[] = [];
  const pathOf = pathJoiner(root);
  for (const [file, stamp] of Object.entries(stamps)) {
    const path = pathOf(file);
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats === undefined || !stats.isFile()) {
      if (stamp.sha256 !== MISSING.sha256) changed.push(file);
      continue;
    }
    if (stats.size === stamp.size && stats.mtimeMs === stamp.mtimeMs && (stamp.ctimeMs ?? stats.ctimeMs) === stats.ctimeMs) continue;
    // Another size is other content, except for cdk.json, whose stages may change without its build settings.
    if (stats.size !== stamp.size && file !== PROJECT_FILE) changed.push(file);
    else if (hashes.hashOf(path, stats, SOURCE_HASH, () => stampOf(root, file).sha256) !== stamp.sha256) changed.push(file);
  }
  hashes.save();
  return changed.sort();
}

export { ALWAYS_COUNTED, changedSources, fingerprintOf, sourceFingerprint, stampSources };
export type { SourceStamp, SourceStamps };
