import { stampSources } from '../../bundle/source-fingerprint.js';
import { SILENT_PROGRESS, withProgress, type Progress } from '../../core/progress.js';
import type { Project } from '../../core/project.js';
import type { Stage } from '../../core/stage.js';
import { moveAliasPair, readAliases } from './alias-store.js';
import { embeddedDatabasePort, embeddedDatabaseUrl } from './embedded-database.js';
import { LocalParameterStore } from './local-parameters.js';
import { localPaths, type LocalPaths } from './local-paths.js';
import { bundleDamage, readRelease, storeRelease, type StoredRelease } from './release-store.js';
import { workingTreeDifference } from './working-tree.js';

/** What a local deploy did. */
interface LocalDeployment {
  readonly stored: StoredRelease;
  /** Whether the release was built for the first time (else the same bytes were stored already). */
  readonly isNew: boolean;
  /** Whether the bundle was built: not when the alias pair's release was built from the working tree as it is. */
  readonly built: boolean;
  /** The release the alias pair pointed at before, if any. */
  readonly previous: string | undefined;
  readonly alias: string;
}

/**
 * Deploys the working tree to the local stage: builds the bundle, stores it
 * as a release under `.cnf/local/releases/`, and moves the alias pair to it,
 * web and admin together. When the pair's release was built from the working
 * tree as it is, and is whole, nothing is built. The first deploy also
 * creates the parameter set, with `DATABASE_URL` (or the project's
 * `databaseUrlVariable`) pointing at the embedded database when the stage
 * has one; every start of it keeps that in sync.
 *
 * @param progress - told when the bundle is built
 */
async function deployLocal(project: Project, stage: Stage, alias: string, progress: Progress = SILENT_PROGRESS): Promise<LocalDeployment> {
  const paths = localPaths(project);
  const current = (await readAliases(paths))[alias];
  const unchanged = current === undefined || current.web !== current.admin ? undefined : await unchangedRelease(paths, project, current.web);
  const deployment =
    unchanged === undefined
      ? await withProgress(progress, 'Building the bundle', () => buildAndStore(paths, project, alias, current?.web))
      : reused(unchanged, alias);
  const parameters = new LocalParameterStore(paths.parameters);
  if (!(await parameters.exists())) {
    const databaseUrl = stage.database !== undefined ? embeddedDatabaseUrl(await embeddedDatabasePort(paths)) : undefined;
    await parameters.initialize(databaseUrl === undefined ? {} : { [project.databaseUrlVariable]: { value: databaseUrl, secure: false } });
  }
  return deployment;
}

/** The stored release, when it was built from the working tree as it is and its bundle is whole. */
async function unchangedRelease(paths: LocalPaths, project: Project, release: string): Promise<StoredRelease | undefined> {
  const stored = await readRelease(paths, release);
  if (stored?.sources === undefined || workingTreeDifference(project, stored).differs) return undefined;
  return (await bundleDamage(paths, stored, 'content')) === undefined ? stored : undefined;
}

function reused(stored: StoredRelease, alias: string): LocalDeployment {
  return { stored, isNew: false, built: false, previous: stored.release, alias };
}

async function buildAndStore(paths: LocalPaths, project: Project, alias: string, previous: string | undefined): Promise<LocalDeployment> {
  // The bundler (esbuild) loads only when a deploy builds.
  const { buildBundle } = await import('../../bundle/build-bundle.js');
  const bundle = await buildBundle(project);
  const { stored, isNew } = await storeRelease(paths, bundle, stampSources(project.root, bundle.inputs));
  await moveAliasPair(paths, alias, stored.release);
  return { stored, isNew, built: true, previous, alias };
}

export { deployLocal };
export type { LocalDeployment };
