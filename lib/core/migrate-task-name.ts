/**
 * The name `defineMigrateTask` gives the task unless told another, and what
 * an unknown-task refusal of that name explains how to get.
 *
 * @example
 * unknownTaskMessage(DEFAULT_MIGRATE_TASK, ['hello'], 'r-0123456789ab'); // says how to add a migrate task
 */
const DEFAULT_MIGRATE_TASK = 'migrate';

export { DEFAULT_MIGRATE_TASK };
