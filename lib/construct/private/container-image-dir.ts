import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { CONTAINER_BASE_IMAGE } from '../../core/node-runtime.js';
import { join } from 'node:path';
import { Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StagedBundle } from '../../bundle/stage-bundle.js';
import { ConstructValidationError } from '../errors.js';
import { CONTAINER_RUNNER_PATH, containerRunnerCode } from './container-runner-code.js';

/** Where the bundle sits in the image: where Lambda unpacks it too. */
const TASK_ROOT = '/var/task';

/** The Dockerfile of a release's image: the bundle's bytes as they are, and the runner beside them. */
function dockerfileOf(release: string): string {
  return [
    `# cnf-admin container task image of release ${release}: the bundle's files, byte for byte, and the container runner.`,
    `FROM ${CONTAINER_BASE_IMAGE}`,
    `ENV LAMBDA_TASK_ROOT=${TASK_ROOT} NODE_OPTIONS=--enable-source-maps`,
    `COPY bundle/ ${TASK_ROOT}/`,
    `COPY container-runner.mjs ${CONTAINER_RUNNER_PATH}`,
    `WORKDIR ${TASK_ROOT}`,
    // The task runs as the image's unprivileged user: it needs to write nothing.
    'USER node',
    `ENTRYPOINT ["node", "${CONTAINER_RUNNER_PATH}"]`,
    '',
  ].join('\n');
}

/**
 * Stages the Docker build context of a release's container image in the CDK
 * app's output directory, at `.cnf-image-<release>`: a Dockerfile, the
 * bundle under `bundle/`, and the container runner. Nothing is built here:
 * synth stays offline and needs no Docker; `cdk deploy` builds and pushes
 * the image, as for any CDK image asset.
 *
 * @throws ConstructValidationError when `scope` is in no CDK App or Stage (there is no output directory).
 */
function stageContainerImage(scope: IConstruct, bundle: Pick<StagedBundle, 'release' | 'directory'>): string {
  const outdir = Stage.of(scope)?.assetOutdir;
  if (outdir === undefined) {
    throw new ConstructValidationError(scope, `it is in no CDK App or Stage: its container image needs the app's output directory.`);
  }
  const dir = join(outdir, `.cnf-image-${bundle.release}`);
  // Rewritten on every synth (the runner may change with cnf-admin), aside and renamed into place.
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // The staged bundle's files as they are: the bytes the functions' asset holds.
  cpSync(bundle.directory, join(staging, 'bundle'), { recursive: true });
  writeFileSync(join(staging, 'container-runner.mjs'), containerRunnerCode());
  writeFileSync(join(staging, 'Dockerfile'), dockerfileOf(bundle.release));
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}

export { stageContainerImage, TASK_ROOT };
