import { AssetHashType, Stage } from 'aws-cdk-lib';
import { Code, type AssetCode } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import type { StagedBundle } from '../../bundle/stage-bundle.js';
import { ConstructValidationError } from '../errors.js';

/**
 * The CDK app's asset output directory (`cdk.out`, or the temporary
 * directory of an app without one), where a bundle is staged.
 *
 * @throws ConstructValidationError when `scope` is in no CDK App or Stage (there is no output directory).
 */
function assetOutdirOf(scope: IConstruct): string {
  const outdir = Stage.of(scope)?.assetOutdir;
  if (outdir === undefined) {
    throw new ConstructValidationError(scope, `it is in no CDK App or Stage: its bundle needs the app's output directory.`);
  }
  return outdir;
}

/**
 * The Lambda code of a staged bundle, as one asset whose hash is the release
 * id: the release id is already a hash over every file, so the asset needs
 * no second hash, and the same release is the same S3 object on every
 * deploy. esbuild ran in the bundler, on this machine; nothing here uses Docker.
 */
function bundleCode(staged: StagedBundle): AssetCode {
  return Code.fromAsset(staged.directory, { assetHash: staged.release, assetHashType: AssetHashType.CUSTOM });
}

export { assetOutdirOf, bundleCode };
