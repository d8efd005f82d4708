import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskCatalog } from '../core/task-catalog.js';
import type { Bundle } from './build-bundle.js';
import { writeBundleFilesSync } from './write-bundle.js';

/** A bundle written to disk, ready to be an asset: its release, its tasks and its directory. */
interface StagedBundle {
  /** `r-` and 12 hex digits, as a bundle's release. */
  readonly release: string;
  /** The tasks of the bundle, as `manifest.json` holds them. */
  readonly catalog: TaskCatalog;
  /** The directory holding the bundle's files: `<outdir>/.cnf-bundle-<release>`. */
  readonly directory: string;
}

/**
 * Writes a bundle into `outdir` (a CDK app's asset output directory) at
 * `.cnf-bundle-<release>`, unless an earlier synth into the same output left
 * that release there already.
 *
 * That directory belongs to the user who synthesises, like the `asset.*`
 * copies CDK stages beside it, and goes with the cloud assembly; nothing is
 * written to a directory other users share. Files are written aside and
 * renamed into place, so that an interrupted synth never leaves a
 * half-written bundle to reuse.
 */
function stageBundle(outdir: string, bundle: Pick<Bundle, 'release' | 'catalog' | 'files'>): StagedBundle {
  const directory = join(outdir, `.cnf-bundle-${bundle.release}`);
  if (!existsSync(directory)) {
    const staging = `${directory}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    writeBundleFilesSync(staging, bundle.files);
    renameSync(staging, directory);
  }
  return { release: bundle.release, catalog: bundle.catalog, directory };
}

export { stageBundle };
export type { StagedBundle };
