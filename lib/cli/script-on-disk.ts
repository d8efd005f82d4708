import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { didYouMean } from '../core/did-you-mean.js';
import { UsageError } from '../core/errors.js';
import type { Project } from '../core/project.js';
import { isScriptPath, scriptFileOf, scriptNameOf } from '../core/task-catalog.js';

/**
 * Refuses a script (`scripts/fix.ts`, its name in a release) that is not in
 * the project's scripts directory, naming where it looked and the scripts
 * that are there: where the checkout is what runs, such a script is a typo
 * or a file not written yet, not one to "commit and deploy" (see
 * `checkoutRuns` in auto-deploy.ts, which decides when to ask).
 *
 * @throws UsageError (64) when the script's file does not exist.
 */
function assertScriptOnDisk(project: Pick<Project, 'root' | 'scriptsDir'>, name: string): void {
  const file = join(project.scriptsDir, scriptFileOf(name));
  if (existsSync(file)) return;
  const present = existsSync(project.scriptsDir)
    ? readdirSync(project.scriptsDir, { recursive: true, encoding: 'utf8' })
        .filter((entry) => entry.endsWith('.ts'))
        .map((entry) => scriptNameOf(entry.split(sep).join('/')))
        .filter(isScriptPath)
        .sort()
    : [];
  const onDisk = relative(project.root, file) || file;
  const where = onDisk === name ? '' : ` (there is no ${onDisk})`;
  throw new UsageError(`No such script: ${name}${where}.${didYouMean(name, present)}`, {
    hint:
      present.length === 0
        ? `Write it under ${relative(project.root, project.scriptsDir) || project.scriptsDir}/, then run it again: cnf-admin run ${name}`
        : `The scripts here: ${present.join(', ')}`,
  });
}

export { assertScriptOnDisk };
