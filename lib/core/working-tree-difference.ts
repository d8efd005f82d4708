/** How the working tree stands against a release built from it. */
interface WorkingTreeDifference {
  /** Whether a deploy of the working tree would build from other sources than the release's. */
  readonly differs: boolean;
  /**
   * The files that differ, relative to the project root, sorted: changed or
   * deleted sources, and new scripts or asset files. Empty when the release
   * does not record its sources' stamps (an older cnf-admin stored it): then
   * only `differs` is known.
   */
  readonly files: readonly string[];
}

/**
 * The working tree's differing files in a few words: the first `shown`
 * files and how many more, or "its sources" when the release does not
 * record which.
 */
function describeFiles(files: readonly string[], shown = 3): string {
  if (files.length === 0) return 'its sources';
  const more = files.length - shown;
  return `${files.slice(0, shown).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

export { describeFiles };
export type { WorkingTreeDifference };
