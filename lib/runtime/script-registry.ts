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
 * The module of the script at `path` in the bundle (imported: its top level
 * runs); undefined when the release does not carry it.
 */
async function importScriptModule(taskRoot: string, path: string): Promise<{ default?: unknown } | undefined> {
  if (!isScriptPath(path)) return undefined;
  const file = scriptModule(taskRoot, path);
  if (!existsSync(file)) return undefined;
  return (await import(pathToFileURL(file).href)) as { default?: unknown };
}

/** Whether a module's default export is a script made by `defineScript`. */
function isScript(exported: unknown): exported is Script {
  return (exported as Script | undefined)?.kind === 'cnf-script';
}

/** A script as the task it runs as, named by its path. */
function scriptTask(path: string, script: Script): Task {
  return {
    name: path,
    description: script.description,
    args: script.args ?? z.strictObject({}),
    options: script.options ?? {},
    run: script.run,
  };
}

/**
 * Loads the script at `path` from the bundle, as a task named by its path:
 * `absent` when the release does not carry the module, `not-a-script` when
 * the module default-exports no `defineScript(...)` (one the scripts import).
 */
async function loadScript(taskRoot: string, path: string): Promise<Task | 'absent' | 'not-a-script'> {
  const module = await importScriptModule(taskRoot, path);
  if (module === undefined) return 'absent';
  return isScript(module.default) ? scriptTask(path, module.default) : 'not-a-script';
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
 * Describes every script the bundle at `taskRoot` carries, sorted by path:
 * each module under the scripts directory that default-exports
 * `defineScript(...)`; the others are modules the scripts import.
 *
 * @throws ModuleLoadError naming the first script whose module fails to load.
 */
async function describeScripts(taskRoot: string): Promise<TaskInfo[]> {
  const scripts: TaskInfo[] = [];
  for (const path of scriptPaths(taskRoot)) {
    let module: { default?: unknown } | undefined;
    try {
      module = await importScriptModule(taskRoot, path);
    } catch (error) {
      throw new ModuleLoadError(`Script ${path}`, error);
    }
    // A module that exports no script is one the scripts share (scripts/lib/db.ts): bundled, not listed.
    if (isScript(module?.default)) scripts.push(describeTask(scriptTask(path, module.default)));
  }
  return scripts;
}

export { describeScripts, loadScript, scriptPaths };
