import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCdkValidation } from '../support/cdk-validation.js';
import { REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

const run = promisify(execFile);
const CDK = join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');

interface Manifest {
  readonly artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
}
interface AssetManifest {
  readonly files: Record<string, { source: { path: string; packaging: string }; destinations: Record<string, { objectKey: string }> }>;
}
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

let outdir: string;
let stderr: string;

beforeAll(async () => {
  outdir = tempDir('cnf-synth');
  // As CI runs it: the real aws-cdk CLI, no AWS credentials, no instance metadata, no Docker; aws-cdk-lib's validation on.
  const env = Object.fromEntries(
    Object.entries(withCdkValidation(process.env)).filter(([key]) => !key.startsWith('AWS_') && key !== 'CDK_DEFAULT_ACCOUNT'),
  );
  /*
   * cdk.json's app is `npx cnf-admin ...`. In this repository that names the
   * package itself: the first such npx on a machine installs the checkout
   * into npx's cache and runs its prepare, a build that deletes and rewrites
   * dist/ under the end-to-end files running beside this one. dist/ is
   * built already (npm test builds it): no install scripts.
   */
  ({ stderr } = await run(process.execPath, [CDK, 'synth', '-c', 'stage=prod', '--quiet', '-o', outdir], {
    cwd: REPO_ROOT,
    env: { ...env, CI: 'true', AWS_EC2_METADATA_DISABLED: 'true', npm_config_ignore_scripts: 'true' },
    timeout: 120_000,
  }));
}, 150_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('npx cdk synth -c stage=prod', () => {
  it('writes a cloud assembly with the stack notes-prod', () => {
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.artifacts['notes-prod']).toMatchObject({
      type: 'aws:cloudformation:stack',
      properties: { templateFile: 'notes-prod.template.json' },
    });
    expect(stderr).not.toMatch(/AwsSolutions-/);
  });

  it('puts both functions on the one bundle asset, staged from the local build', () => {
    const resources = (JSON.parse(readFileSync(join(outdir, 'notes-prod.template.json'), 'utf8')) as { Resources: Resources }).Resources;
    const functions = Object.values(resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function' && String(resource.Properties.FunctionName).startsWith('notes-prod-'),
    );
    expect(functions.map((fn) => [fn.Properties.FunctionName, fn.Properties.Handler])).toEqual([
      ['notes-prod-web', 'web.handler'],
      ['notes-prod-admin', 'admin.handler'],
    ]);
    const [web, admin] = functions.map((fn) => (fn.Properties.Code as { S3Key: string }).S3Key);
    expect(web).toBe(admin);

    const assets = JSON.parse(readFileSync(join(outdir, 'notes-prod.assets.json'), 'utf8')) as AssetManifest;
    const bundleAsset = Object.values(assets.files).find((asset) =>
      Object.values(asset.destinations).some((destination) => destination.objectKey === web),
    );
    expect(bundleAsset?.source.packaging).toBe('zip');
    for (const file of ['web.mjs', 'admin.mjs', 'manifest.json', 'migrations/0001_create_notes.sql']) {
      expect(existsSync(join(outdir, bundleAsset!.source.path, file)), file).toBe(true);
    }
  });
});
