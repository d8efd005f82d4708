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

/**
 * Whether an admin entry's source lists `task` among its task loaders, as
 * {@link taskLoaderEntry} writes one or a user might: a key `migrate:` whose
 * value is a function, or an import of `./tasks/migrate.js`, outside comments.
 *
 * @example
 * listsTaskLoader("tasks: { migrate: () => import('./tasks/migrate.js') }", 'migrate'); // true
 */
function listsTaskLoader(source: string, task: string): boolean {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const loader = new RegExp(`(^|[\\s{,])['"]?${task}['"]?\\s*:\\s*(async\\s*)?(\\(|function\\b)`, 'm');
  return loader.test(code) || code.includes(`tasks/${task}.js`);
}

export { listsTaskLoader, taskLoaderEntry };
