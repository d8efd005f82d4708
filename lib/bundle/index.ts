/**
 * `cnf-admin/bundle`: building a project's bundle by hand, for a CDK app
 * that builds it once and hands it to `AdminApp` (`bundle` prop), or a tool
 * of the team's own. `AdminApp` builds the bundle itself when given none.
 */
export { buildBundle } from './build-bundle.js';
export type { Bundle, BundleSource } from './build-bundle.js';
export { buildBundleSync } from './build-bundle-sync.js';
export { stageBundle } from './stage-bundle.js';
export type { StagedBundle } from './stage-bundle.js';
export { findProject, loadProject } from '../core/project.js';
export type { Project } from '../core/project.js';
export type { BundleFile } from '../core/release.js';
export type { PlatformKind, Stage } from '../core/stage.js';
export type { JsonSchema, TaskCatalog, TaskInfo } from '../core/task-catalog.js';
export type { TaskRuntime } from '../core/task-runtime.js';
