import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, Stage } from 'aws-cdk-lib';
import { Code, type AssetCode } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import type { Bundle } from '../../bundle/build-bundle.js';
import { writeBundleFilesSync } from '../../bundle/write-bundle.js';
import { AdminAppPropsError } from '../errors.js';

/**
 * The Lambda code of a bundle: its files written into the CDK app's own asset
 * output directory (`cdk.out`, or the temporary directory of an app without
 * one), at `.cnf-bundle-<release>`, as one asset whose hash is the release id.
 *
 * That directory belongs to the user who synthesises, like the `asset.*`
 * copies CDK stages beside it, and goes with the cloud assembly; nothing is
 * written to a directory other users share. A directory of the same release
 * left by an earlier synth into the same output is reused, with the same
 * trust CDK gives its own staged `asset.<hash>` there.
 *
 * The release id is already a hash over every file, so the asset needs no
 * second hash, and the same release is the same S3 object on every deploy.
 * esbuild ran in the bundler, on this machine; nothing here uses Docker.
 *
 * @throws AdminAppPropsError when `scope` is in no CDK App or Stage (there is no output directory).
 */
function bundleCode(scope: IConstruct, bundle: Bundle): AssetCode {
  const outdir = Stage.of(scope)?.assetOutdir;
  if (outdir === undefined) {
    throw new AdminAppPropsError(`${scope.node.path} is in no CDK App or Stage: its bundle needs the app's output directory.`);
  }
  const dir = join(outdir, `.cnf-bundle-${bundle.release}`);
  if (!existsSync(dir)) {
    // Written aside and renamed into place, so that a synth that is interrupted never leaves a half-written bundle to reuse.
    const staging = `${dir}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    writeBundleFilesSync(staging, bundle.files);
    renameSync(staging, dir);
  }
  return Code.fromAsset(dir, { assetHash: bundle.release, assetHashType: AssetHashType.CUSTOM });
}

export { bundleCode };
