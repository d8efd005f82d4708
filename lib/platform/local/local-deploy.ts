import { buildBundle } from '../../bundle/build-bundle.js';
import { sourceFingerprint } from '../../bundle/source-fingerprint.js';
import type { Project } from '../../core/project.js';
import type { Stage } from '../../core/stage.js';
import { moveAliasPair, readAliases } from './alias-store.js';
import { embeddedDatabasePort, embeddedDatabaseUrl } from './embedded-database.js';
import { LocalParameterStore } from './local-parameters.js';
import { localPaths } from './local-paths.js';
import { storeRelease, type StoredRelease } from './release-store.js';

/** What a local deploy did. */
interface LocalDeployment {
  readonly stored: StoredRelease;
  /** Whether the release was built for the first time (else the same bytes were stored already). */
  readonly isNew: boolean;
  /** The release the alias pair pointed at before, if any. */
  readonly previous: string | undefined;
  readonly alias: string;
}

/**
 * Deploys the working tree to the local stage: builds the bundle, stores it
 * as a release under `.cnf/local/releases/`, and moves the alias pair to it,
 * web and admin together. The first deploy also creates the parameter set,
 * with `DATABASE_URL` (or the project's `databaseUrlVariable`) pointing at the
 * embedded database when the stage has one; every start of it keeps that in sync.
 */
async function deployLocal(project: Project, stage: Stage, alias: string): Promise<LocalDeployment> {
  const paths = localPaths(project);
  const bundle = await buildBundle(project);
  const { stored, isNew } = await storeRelease(paths, bundle, sourceFingerprint(project.root, bundle.inputs));
  const previous = (await readAliases(paths))[alias]?.web;
  await moveAliasPair(paths, alias, stored.release);
  const parameters = new LocalParameterStore(paths.parameters);
  if (!(await parameters.exists())) {
    const databaseUrl = stage.database !== undefined ? embeddedDatabaseUrl(await embeddedDatabasePort(paths)) : undefined;
    await parameters.initialize(databaseUrl === undefined ? {} : { [project.databaseUrlVariable]: { value: databaseUrl, secure: false } });
  }
  return { stored, isNew, previous, alias };
}

export { deployLocal };
export type { LocalDeployment };
