import { listedSources } from '../../bundle/listed-sources.js';
import { changedSources, sourceFingerprint } from '../../bundle/source-fingerprint.js';
import type { Project } from '../../core/project.js';
import type { StoredRelease } from './release-store.js';

/** How the working tree stands against a stored release. */
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
 * Whether the working tree differs from a stored release, and in which
 * files. Cheap enough for every `invoke`: a stat per source file, and a hash
 * only of those whose size or modification time changed, plus a listing of
 * the scripts and asset directories (a new file there joins the bundle).
 */
function workingTreeDifference(project: Project, stored: StoredRelease): WorkingTreeDifference {
  if (stored.sources === undefined) {
    return { differs: sourceFingerprint(project.root, stored.inputs) !== stored.sourceFingerprint, files: [] };
  }
  const recorded = stored.sources;
  const added = listedSources(project).filter((file) => recorded[file] === undefined);
  const files = [...new Set([...changedSources(project.root, recorded), ...added])].sort();
  return { differs: files.length > 0, files };
}

/** A short list of differing files for a one-line message: the first few, and how many more. */
function describeFiles(files: readonly string[], shown = 3): string {
  if (files.length === 0) return 'its sources';
  const more = files.length - shown;
  return `${files.slice(0, shown).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

export { describeFiles, workingTreeDifference };
export type { WorkingTreeDifference };
