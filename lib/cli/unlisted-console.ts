import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Project } from '../core/project.js';
import { taskLoaderEntry } from '../core/task-loader-entry.js';

/*
 * An admin entry that names a console in createAdminHandler's options, in any form an object literal takes: a loader
 * (`console: () => import(…)`), a named one (`console: loadConsole`), the shorthand (`{ tasks, console }`), a method
 * (`console() { … }`). `console.log(…)` is none of them.
 */
const NAMES_CONSOLE = /\bconsole\s*(?::|,|\(|\})/;

/* The module that gives the console its scope, as docs/console.md names it: `<lambdaDir>/console.ts` (or .mts, .js, .mjs). */
const CONSOLE_MODULES = ['console.ts', 'console.mts', 'console.js', 'console.mjs'];

/**
 * What to say when the app has written the module that gives the console
 * its scope (`lambda/console.ts`, `defineConsole`) but the admin entry does
 * not name it: the release then has no such module, and its names are not
 * defined in the console. Undefined when there is no such module, or the
 * admin entry names a console.
 *
 * @example
 * unlistedConsoleHint(project);
 * // "lambda/console.ts gives this console nothing: lambda/admin.ts names no console. Add console: () => import('./console.js') to createAdminHandler's options, beside tasks."
 */
function unlistedConsoleHint(project: Pick<Project, 'root' | 'lambdaDir' | 'adminEntry'>): string | undefined {
  const file = CONSOLE_MODULES.map((name) => join(project.lambdaDir, name)).find((path) => existsSync(path));
  if (file === undefined || !existsSync(project.adminEntry)) return undefined;
  if (NAMES_CONSOLE.test(readFileSync(project.adminEntry, 'utf8'))) return undefined;
  const from = relative(dirname(project.adminEntry), file)
    .split('\\')
    .join('/')
    .replace(/\.(m?)[tj]s$/, (_extension, module: string) => `.${module}js`);
  const loader = taskLoaderEntry('console', from);
  return `${relative(project.root, file)} gives this console nothing: ${relative(project.root, project.adminEntry)} names no console. Add ${loader} to createAdminHandler's options, beside tasks.`;
}

export { unlistedConsoleHint };
