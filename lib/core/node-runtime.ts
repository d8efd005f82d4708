/*
 * Node's major version, spelled once: the Lambda runtime both functions run
 * on, the bundler's target, the container image and the local stage's check
 * all derive from it.
 */

/** The Node major version cnf-admin deploys and targets. */
const NODE_MAJOR = 22;

/** esbuild's target for the bundle, the container runner and the release phase's handler: `node22`. */
const NODE_TARGET = `node${NODE_MAJOR}`;

/** The Lambda runtime identifier: `nodejs22.x`. */
const LAMBDA_NODE_RUNTIME = `nodejs${NODE_MAJOR}.x`;

/**
 * The container tasks' base image: the official Node image of the same
 * major (Docker Official Images, mirrored on ECR Public, so that a deploy is
 * not subject to Docker Hub's pull limits).
 */
const CONTAINER_BASE_IMAGE = `public.ecr.aws/docker/library/node:${NODE_MAJOR}-slim`;

export { CONTAINER_BASE_IMAGE, LAMBDA_NODE_RUNTIME, NODE_MAJOR, NODE_TARGET };
