import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Project } from '../core/project.js';
import { isScriptPath, scriptFileOf } from '../core/task-catalog.js';

/**
 * What to say when a module under `scripts/` that a release does not take
 * for a script was written as a task: it calls `defineTask(...)` and no
 * `defineScript(...)`, as a user who has written tasks first will. Read
 * from the file on disk; undefined when the name is no script path, the
 * file is not there, or it is not written so.
 *
 * @example
 * scriptWrittenAsTaskHint(project, 'scripts/fix.ts');
 * // 'scripts/fix.ts is written with defineTask: a script default-exports defineScript({ description, args, run }) …'
 */
function scriptWrittenAsTaskHint(project: Pick<Project, 'root' | 'scriptsDir'>, name: string): string | undefined {
  if (!isScriptPath(name)) return undefined;
  const file = join(project.scriptsDir, scriptFileOf(name));
  if (!existsSync(file)) return undefined;
  const source = readFileSync(file, 'utf8');
  if (!/\bdefineTask\s*[(<]/.test(source) || /\bdefineScript\s*[(<]/.test(source)) return undefined;
  return `${relative(project.root, file)} is written with defineTask: a script default-exports defineScript({ description, args, run }) from cnf-admin/runtime, with no name (its path names it). A task goes under lambda/tasks/ and is listed in lambda/admin.ts.`;
}

export { scriptWrittenAsTaskHint };
