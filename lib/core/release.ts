import { createHash } from 'node:crypto';

/** One file of a bundle: its path relative to the bundle root (with `/`), and its bytes. */
interface BundleFile {
  /** The file's path relative to the bundle root, with `/` separators. */
  readonly path: string;
  /** The file's bytes. */
  readonly contents: Uint8Array;
}

const RELEASE_ID_PATTERN = /^r-[0-9a-f]{12}$/;

/**
 * Computes a bundle's release id: `r-` and the first 12 hex digits of a
 * SHA-256 over the bundle's files, path and content, in sorted path order.
 *
 * Each file contributes `path NUL sha256(content) LF`, so that no choice of
 * names and contents can make two different bundles hash alike by shifting
 * bytes from one file into the next.
 *
 * @example
 * releaseIdOf([{ path: 'web.mjs', contents: new TextEncoder().encode('export {}') }]);
 * // 'r-…' (12 hex digits), the same for the same files in any order
 */
function releaseIdOf(files: readonly BundleFile[]): string {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hash = createHash('sha256');
  for (const file of sorted) {
    const contentHash = createHash('sha256').update(file.contents).digest('hex');
    hash.update(`${file.path}\0${contentHash}\n`);
  }
  return `r-${hash.digest('hex').slice(0, 12)}`;
}

/** Whether `value` has the shape of a release id (`r-` and 12 hex digits). */
function isReleaseId(value: unknown): value is string {
  return typeof value === 'string' && RELEASE_ID_PATTERN.test(value);
}

/**
 * How many of its newest releases the local stage keeps, beside those in
 * use (an alias pair's, the live pair's recent moves', a running run's): a
 * deploy that stores a new release removes the others. Each holds a whole
 * bundle (some 2.5 MB for the example app), and in the local loop every
 * edit an invoke runs is a release of its own.
 */
const KEPT_LOCAL_RELEASES = 20;

/**
 * What a deploy says of the old releases it removed (newest first), or
 * undefined when it removed none.
 */
function prunedReleasesNotice(pruned: readonly string[] | undefined): string | undefined {
  if (pruned === undefined || pruned.length === 0) return undefined;
  const named = pruned.length > 3 ? `${pruned.slice(0, 3).join(', ')} and ${pruned.length - 3} more` : pruned.join(', ');
  return `Removed ${pruned.length === 1 ? 'an old release' : `${pruned.length} old releases`} nothing uses (${named}): the local stage keeps its ${KEPT_LOCAL_RELEASES} newest and those in use.`;
}

export { isReleaseId, KEPT_LOCAL_RELEASES, prunedReleasesNotice, releaseIdOf };
export type { BundleFile };
