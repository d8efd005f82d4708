/**
 * buildBundle starts esbuild with GOGC=400 (lib/bundle/esbuild-collector.ts):
 * esbuild's `build` is replaced here by one that notes the GOGC its service
 * process would inherit, then fails as a build that does not compile.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildBundle } from '../../lib/bundle/build-bundle.js';
import { tempDir } from '../support/temp-dir.js';

const seen = vi.hoisted(() => ({ gogc: [] as (string | undefined)[] }));

vi.mock('esbuild', async (original) => ({
  ...(await original<typeof import('esbuild')>()),
  build: () => {
    seen.gogc.push(process.env.GOGC);
    return Promise.reject(Object.assign(new Error('Build failed with 1 error'), { errors: [{ text: 'stop here', location: null }] }));
  },
}));

function project(): Parameters<typeof buildBundle>[0] {
  const root = tempDir('cnf-gogc-app');
  const lambdaDir = join(root, 'lambda');
  mkdirSync(lambdaDir);
  writeFileSync(join(lambdaDir, 'web.ts'), 'export const handler = () => 1;\n');
  writeFileSync(join(lambdaDir, 'admin.ts'), 'export const handler = () => 2;\n');
  return {
    root,
    lambdaDir,
    webEntry: join(lambdaDir, 'web.ts'),
    adminEntry: join(lambdaDir, 'admin.ts'),
    assetDirs: [],
    scriptsDir: join(root, 'scripts'),
  };
}

describe('buildBundle', () => {
  afterEach(() => {
    seen.gogc.length = 0;
    vi.unstubAllEnvs();
  });

  it("starts esbuild with GOGC=400, or the user's own, and leaves the environment as it was", async () => {
    vi.stubEnv('GOGC', undefined);
    await expect(buildBundle(project())).rejects.toThrow('stop here');
    expect(process.env.GOGC).toBeUndefined();
    vi.stubEnv('GOGC', '150');
    await expect(buildBundle(project())).rejects.toThrow('stop here');
    expect(process.env.GOGC).toBe('150');
    expect(seen.gogc).toEqual(['400', '150']);
  });
});
