/**
 * What an application imports from cnf-admin, as `cnf-admin/runtime`: it
 * ships inside the bundle, so it imports nothing of the CLI, the CDK or the
 * platforms.
 */
export { createAdminHandler } from './admin-handler.js';
export type { AdminHandler, AdminHandlerOptions, AdminInvocationContext } from './admin-handler.js';
export { ConfigError, loadConfig } from './config-loader.js';
export type { LoadConfigOptions, LoadedConfig } from './config-loader.js';
export { defineConsole } from './console/define-console.js';
export type { ConsoleScopeFactory, ConsoleScopeInput } from './console/define-console.js';
export { defineScript } from './define-script.js';
export type { Script, ScriptDefinition } from './define-script.js';
export { defineTask } from './define-task.js';
export type { Task, TaskContext, TaskDefinition, TaskOptions, TaskPermission } from './define-task.js';
export type { Lease, LockHolder, LockResult } from '../core/lease.js';
export type { ClaimResult, LedgerQuery, RunLedger } from './ledger/run-ledger.js';
export type { TaskSources } from './resolve-task.js';
export type { ResponseStream } from './response-stream.js';
export type { TaskLoaders } from './task-registry.js';
export type { AdminEvent, RunError, RunOwner, RunRecord, RunResult, RunSource } from '../core/run.js';
export type { ArgsProblem } from '../core/check-args.js';
export type { RunStatus } from '../core/run-status.js';
export type { JsonSchema, TaskCatalog, TaskInfo } from '../core/task-catalog.js';
export type { TaskRuntime } from '../core/task-runtime.js';
export type { ContainerStarted } from '../core/container-run.js';
