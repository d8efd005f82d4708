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
export type { Task, TaskContext, TaskDefinition, TaskOptions } from './define-task.js';
export type { TaskLoaders } from './task-registry.js';
export type { AdminEvent, RunResult } from '../core/run.js';
