import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bundle } from '../../../lib/bundle/build-bundle.js';
import { localPaths } from '../../../lib/platform/local/local-paths.js';
import { storeRelease } from '../../../lib/platform/local/release-store.js';
import { tempDir } from '../../support/temp-dir.js';

describe('storeRelease, when a write of the release fails (a full disk)', () => {
  it('leaves no half-written copy behind to hold the space it took', async () => {
    // given a bundle whose second file cannot be written: a directory of the first stands where it goes
    const paths = localPaths({ stateDir: join(tempDir('cnf-release-store'), '.cnf') });
    const contents = Buffer.from('export {};\n');
    const bundle = {
      release: 'r-000000000001',
      files: [
        { path: 'chunks/a.mjs', contents },
        { path: 'chunks', contents },
      ],
      catalog: { tasks: [], scripts: [] },
      inputs: [],
    } as unknown as Bundle;
    // when it is stored, the write fails
    await expect(storeRelease(paths, bundle, {})).rejects.toMatchObject({ code: 'EISDIR' });
    // then the releases directory holds nothing of it
    expect(readdirSync(paths.releases)).toEqual([]);
  });
});
