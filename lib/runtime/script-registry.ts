import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { isScriptPath } from '../core/task-catalog.js';
import type { TaskInfo } from '../core/task-catalog.js';
import type { Task } from './define-task.js';
import type { Script } from './define-script.js';
import { ModuleLoadError } from './module-load-error.js';
import { describeTask } from './task-registry.js';

/** Where a script's bundled module is: `scripts/x.ts` ships as `scripts/x.mjs`. */
function scriptModule(taskRoot: string, path: string): string {
  return join(taskRoot, path.replace(/\.ts$/, '.mjs'));
}

/**
 * Loads the script at `path` from the bundle, as a task named by its path;
 * undefined when the release does not carry it.
 *
 * @throws TypeError when the module does not default-export `defineScript(...)`.
 */
async function loadScript(taskRoot: string, path: string): Promise<Task | undefined> {
  if (!isScriptPath(path)) return undefined;
  const file = scriptModule(taskRoot, path);
  if (!existsSync(file)) return undefined;
  const script = ((await import(pathToFileURL(file).href)) as { default?: Script }).default;
  if (script?.kind !== 'cnf-script') {
    throw new TypeError(`${path} must default-export defineScript({ description, run, ... }) from cnf-admin/runtime`);
  }
  return {
    name: path,
    description: script.description,
    args: script.args ?? z.strictObject({}),
    options: script.options ?? {},
    run: script.run,
  };
}

function modulesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.mjs'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * The paths of the scripts the bundle at `taskRoot` carries, as `cnf-admin
 * run` takes them (`scripts/x.ts`), sorted, without loading any of them.
 */
function scriptPaths(taskRoot: string): string[] {
  return modulesUnder(join(taskRoot, 'scripts'))
    .map((file) =>
      relative(taskRoot, file)
        .split('\\')
        .join('/')
        .replace(/\.mjs$/, '.ts'),
    )
    .filter(isScriptPath)
    .sort();
}

/**
 * Describes every script the bundle at `taskRoot` carries, sorted by path.
 *
 * @throws ModuleLoadError naming the first script whose module fails to load.
 */
async function describeScripts(taskRoot: string): Promise<TaskInfo[]> {
  const scripts: TaskInfo[] = [];
  for (const path of scriptPaths(taskRoot)) {
    let task: Task | undefined;
    try {
      task = await loadScript(taskRoot, path);
    } catch (error) {
      throw new ModuleLoadError(`Script ${path}`, error);
    }
    if (task !== undefined) scripts.push(describeTask(task));
  }
  return scripts;
}

export { describeScripts, loadScript, scriptPaths };
