import { listedSources } from '../../bundle/listed-sources.js';
import { ALWAYS_COUNTED, changedSources, sourceFingerprint } from '../../bundle/source-fingerprint.js';
import { CheckedHashes } from '../../core/files/checked-hashes.js';
import type { Project } from '../../core/project.js';
import type { WorkingTreeDifference } from '../../core/working-tree-difference.js';
import type { StoredRelease } from './release-store.js';

/**
 * Whether the working tree differs from a stored release, and in which
 * files. Cheap enough for every `invoke`: a stat per source file, and a hash
 * only of those whose size or times changed (once: the project's
 * {@link CheckedHashes} keep it), plus a listing of
 * the scripts and asset directories (a new file there joins the bundle). A
 * file that counts in every build but that the release's record does not
 * name (`cdk.json`, in a record of an older cnf-admin) counts as changed:
 * what the record cannot tell, a build does.
 */
function workingTreeDifference(project: Project, stored: StoredRelease): WorkingTreeDifference {
  if (stored.sources === undefined) {
    // A record of an older cnf-admin names its inputs; one that names neither cannot tell, and counts as different.
    const differs = stored.inputs === undefined || sourceFingerprint(project.root, stored.inputs) !== stored.sourceFingerprint;
    return { differs, files: [] };
  }
  const recorded = stored.sources;
  const added = [...listedSources(project), ...ALWAYS_COUNTED].filter((file) => recorded[file] === undefined);
  const files = [...new Set([...changedSources(project.root, recorded, new CheckedHashes(project.stateDir)), ...added])].sort();
  return { differs: files.length > 0, files };
}

export { workingTreeDifference };
