import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { Stack, Stage } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bundle } from '../../../lib/bundle/build-bundle.js';
import { releaseIdOf, type BundleFile } from '../../../lib/core/release.js';
import { ConstructValidationError } from '../../../lib/construct/errors.js';
import { stageBundle } from '../../../lib/bundle/stage-bundle.js';
import { assetOutdirOf, bundleCode } from '../../../lib/construct/private/bundle-code.js';
import { newStack, removeOutdirs } from '../support/admin-app-stack.js';

/** A small bundle of its own: random content, so that its release is new to this machine. */
function tinyBundle(): Bundle {
  const text = (value: string) => new TextEncoder().encode(value);
  const files: BundleFile[] = [
    { path: 'admin.mjs', contents: text(`export const handler = () => ${JSON.stringify(Math.random())};`) },
    { path: 'chunks/shared.mjs', contents: text('export {};') },
    { path: 'manifest.json', contents: text('{"tasks":[],"scripts":[]}') },
  ];
  return { files, release: releaseIdOf(files), catalog: { tasks: [], scripts: [] }, inputs: [], metafile: { inputs: {}, outputs: {} } };
}

/** The files below `dir`, as bundle paths. */
function filesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

afterAll(removeOutdirs);

describe('bundleCode of a staged bundle', () => {
  it("writes the bundle into the app's own output directory, and nothing into a directory other users share", () => {
    // given
    const stack = newStack();
    const bundle = tinyBundle();

    // when
    const code = bundleCode(stageBundle(assetOutdirOf(stack), bundle));

    // then
    const outdir = Stage.of(stack)!.assetOutdir;
    expect(code.path).toBe(join(outdir, `.cnf-bundle-${bundle.release}`));
    expect(filesIn(code.path)).toEqual(['admin.mjs', 'chunks/shared.mjs', 'manifest.json']);
    expect(readFileSync(join(code.path, 'admin.mjs'))).toEqual(Buffer.from(bundle.files[0]!.contents));
    expect(existsSync(join(tmpdir(), 'cnf-admin-bundles', bundle.release))).toBe(false);
    expect(readdirSync(outdir).filter((name) => name.includes('.staging-'))).toEqual([]);
  });

  it('refuses a scope that is in no CDK App or Stage, which has no output directory', () => {
    const stack = new Stack(new Construct(undefined as unknown as Construct, 'Root'), 'Orphan');
    expect(() => assetOutdirOf(stack)).toThrow(ConstructValidationError);
    expect(() => assetOutdirOf(stack)).toThrow('Root/Orphan: it is in no CDK App or Stage');
  });
});
