import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_FILE } from '../core/project.js';

/**
 * The files that count in every build, whatever it imports: the lockfile,
 * which stands for every installed dependency, and `cdk.json`, whose
 * `context.cnf` says what the bundle is built from (its entries, its asset
 * and script directories).
 */
const ALWAYS_COUNTED: readonly string[] = ['package-lock.json', PROJECT_FILE];

/** What a build saw of one source file: enough to tell cheaply whether it changed since. */
interface SourceStamp {
  readonly size: number;
  readonly mtimeMs: number;
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

function stampOf(root: string, file: string): SourceStamp {
  const path = join(root, file);
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined || !stats.isFile()) return MISSING;
  return { size: stats.size, mtimeMs: stats.mtimeMs, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
}

/** Stamps every counted source of a build: size, modification time and content hash. */
function stampSources(root: string, inputs: readonly string[]): SourceStamps {
  return Object.fromEntries(countedSources(inputs).map((file) => [file, stampOf(root, file)]));
}

/** The fingerprint of a set of stamps: their paths and content hashes, in sorted order. */
function fingerprintOf(stamps: SourceStamps): string {
  const hash = createHash('sha256');
  for (const file of Object.keys(stamps).sort()) hash.update(`${file}\0${stamps[file]?.sha256 ?? 'missing'}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * A fingerprint of the sources a bundle was built from: the content of each
 * input outside `node_modules`, plus the lockfile and `cdk.json`. When it differs from the
 * live release's, the working tree would build a different release. Files
 * the bundle does not import do not count, since they cannot change it.
 */
function sourceFingerprint(root: string, inputs: readonly string[]): string {
  return fingerprintOf(stampSources(root, inputs));
}

/**
 * The stamped sources that differ now, sorted: cheap enough for every
 * `invoke`. A file whose size and modification time match its stamp is
 * taken as unchanged (a stat call); only the others are hashed, and count
 * as changed when their content differs.
 */
function changedSources(root: string, stamps: SourceStamps): string[] {
  const changed: string[] = [];
  for (const [file, stamp] of Object.entries(stamps)) {
    const stats = statSync(join(root, file), { throwIfNoEntry: false });
    if (stats === undefined || !stats.isFile()) {
      if (stamp.sha256 !== MISSING.sha256) changed.push(file);
      continue;
    }
    if (stats.size === stamp.size && stats.mtimeMs === stamp.mtimeMs) continue;
    if (stats.size !== stamp.size || stampOf(root, file).sha256 !== stamp.sha256) changed.push(file);
  }
  return changed.sort();
}

export { ALWAYS_COUNTED, changedSources, fingerprintOf, sourceFingerprint, stampSources };
export type { SourceStamp, SourceStamps };
