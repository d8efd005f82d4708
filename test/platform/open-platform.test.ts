import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, stageOf } from '../../lib/core/project.js';
import { SILENT_PROGRESS } from '../../lib/core/progress.js';
import { openLocalDatabase } from '../../lib/platform/open-local-database.js';
import { localReleaseCatalog, openPlatform } from '../../lib/platform/open-platform.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

/*
 * The CLI's one door to the platforms: which capabilities each platform
 * offers is what decides which commands a stage has, so it is the contract.
 */
describe('openPlatform', () => {
  let project: TestProject;

  beforeAll(() => {
    project = createTestProject('tasks');
  });

  afterAll(async () => {
    await project.cleanup();
  });

  it('reads the local release catalog and the embedded database without opening the local platform', async () => {
    const loaded = loadProject(project.dir);
    expect(await localReleaseCatalog(loaded, 'live')).toBeUndefined();
    const database = openLocalDatabase(loaded);
    expect(database.location).toBe(join(project.dir, '.cnf', 'local', 'database'));
    // Before the first start, the version that start will run: the installed binaries' (`18.4`).
    expect(await database.status()).toMatchObject({ running: false, sizeBytes: 0, version: expect.stringMatching(/^\d+\.\d+$/) });
    // Read only: neither made any of the local stage's state.
    expect(existsSync(join(project.dir, '.cnf', 'local'))).toBe(false);
  });

  it('opens the local stage with the local-stage and managed-config capabilities, and no cloud one', async () => {
    const loaded = loadProject(project.dir);
    const platform = await openPlatform(loaded, stageOf(loaded, 'local'), { progress: SILENT_PROGRESS });
    expect(platform.kind).toBe('local');
    expect(platform.cloudStage).toBeUndefined();
    expect(Object.keys(platform.localStage ?? {}).sort()).toEqual([
      'buildWorkingTree',
      'deploy',
      'nothingDeployed',
      'prepareDatabase',
      'readAliasTarget',
      'rollbackPin',
      'startWebServer',
      'stop',
      'workingTree',
    ]);
    // Nothing deployed yet: no pair, no tree to compare, no rollback holding the stage.
    expect(await platform.localStage?.readAliasTarget('live')).toBeUndefined();
    expect(await platform.localStage?.nothingDeployed()).toBe(true);
    expect(await platform.localStage?.workingTree()).toBeUndefined();
    expect(await platform.localStage?.rollbackPin()).toBeUndefined();
    // The fixture's local stage has no embedded database: no key is managed, and any may be set.
    expect(platform.managedConfigKeys?.managedDatabaseKey()).toBeUndefined();
    expect(() => platform.managedConfigKeys?.assertUnmanagedKey('DATABASE_URL', 'set')).not.toThrow();
  });

  it('opens an AWS stage with the cloud-stage capability, and no local one', async () => {
    const loaded = loadProject(project.dir);
    const platform = await openPlatform(loaded, stageOf(loaded, 'prod'), { region: 'eu-west-1', progress: SILENT_PROGRESS });
    expect(platform.kind).toBe('aws');
    expect(platform.localStage).toBeUndefined();
    expect(platform.managedConfigKeys).toBeUndefined();
    expect(Object.keys(platform.cloudStage ?? {}).sort()).toEqual(['policy', 'stop']);
  });
});
