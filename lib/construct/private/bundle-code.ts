import { existsSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssetHashType } from 'aws-cdk-lib';
import { Code, type AssetCode } from 'aws-cdk-lib/aws-lambda';
import type { Bundle } from '../../bundle/build-bundle.js';
import { writeBundleFilesSync } from '../../bundle/write-bundle.js';

/** Where bundles are written for CDK to stage, one directory per release. */
const BUNDLES_DIR = join(tmpdir(), 'cnf-admin-bundles');

/**
 * The Lambda code of a bundle: its files written to a directory of their own
 * (once per release), as one asset whose hash is the release id.
 *
 * The release id is already a hash over every file, so the asset needs no
 * second hash, and the same release is the same S3 object on every deploy.
 * esbuild ran in the bundler, on this machine; nothing here uses Docker.
 */
function bundleCode(bundle: Bundle): AssetCode {
  const dir = join(BUNDLES_DIR, bundle.release);
  if (!existsSync(dir)) {
    // Written aside and renamed into place, so that a half-written bundle
    // never shows, even with two synths (or test workers) at once.
    const staging = `${dir}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    writeBundleFilesSync(staging, bundle.files);
    try {
      renameSync(staging, dir);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      // Another process wrote the same release first: same id, same bytes.
      if (!existsSync(dir)) throw error;
    }
  }
  return Code.fromAsset(dir, { assetHash: bundle.release, assetHashType: AssetHashType.CUSTOM });
}

export { bundleCode };
