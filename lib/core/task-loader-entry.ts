/**
 * The entry of an admin entry's `tasks` that loads `task` from `module`
 * (its path from the admin entry, as the build writes it: `tasks/<task>.js`
 * by default): what `init` writes, and what a message tells the user to add.
 * A name that is no identifier (`orders:report`) is quoted.
 *
 * @example
 * taskLoaderEntry('migrate'); // "migrate: () => import('./tasks/migrate.js')"
 * taskLoaderEntry('orders:report', 'tasks/orders-report.js'); // "'orders:report': () => import('./tasks/orders-report.js')"
 */
function taskLoaderEntry(task: string, module = `tasks/${task}.js`): string {
  const key = /^[A-Za-z_$][\w$]*$/.test(task) ? task : `'${task}'`;
  return `${key}: () => import('./${module}')`;
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
