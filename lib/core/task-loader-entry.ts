/**
 * The entry of an admin entry's `tasks` that loads `task` from
 * `tasks/<task>.ts`: what `init` writes, and what a message tells the user
 * to add.
 *
 * @example
 * taskLoaderEntry('migrate'); // "migrate: () => import('./tasks/migrate.js')"
 */
function taskLoaderEntry(task: string): string {
  return `${task}: () => import('./tasks/${task}.js')`;
}

export { taskLoaderEntry };
