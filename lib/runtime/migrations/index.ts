/**
 * `cnf-admin/migrations`: a `migrate` task for PostgreSQL built on umzug,
 * kept out of `cnf-admin/runtime` so that apps without a database (and the
 * web function's cold start) never load it.
 */
export { defineMigrateTask, migrateTaskArgs } from './define-migrate-task.js';
export type { MigrateResult, MigrateTaskOptions } from './define-migrate-task.js';
export { UnknownMigrationsError } from './unknown-migrations-error.js';
export type { Task, TaskContext, TaskDefinition, TaskOptions, TaskPermission } from '../define-task.js';
export type { TaskRuntime } from '../../core/task-runtime.js';
