import { dirname, join } from 'node:path';
import type { Message } from 'esbuild';
import { BuildError } from '../core/errors.js';
import { installHint, isPackageInstalled, packageOfSpecifier } from '../core/missing-package.js';
import { TOOL_PACKAGE } from '../core/tool-root.js';
import { unbuiltToolCopy } from '../core/unbuilt-tool.js';

/** What the user does after a fix: the last words of every build failure's hint (a compile error, a task that failed to load). */
const NOTHING_RAN = 'then run the command again: nothing was deployed, and nothing ran.';

/**
 * The error of a build that esbuild refused: each of its messages as a line
 * naming the file, line and column. An import of a package that is not
 * installed (`Could not resolve "zod"`: a peer dependency left out, a
 * package never added) is one line per package however many files import
 * it, says so, and the hint gives the `npm install` line instead of asking
 * to fix the code. So is an import of cnf-admin itself that finds a copy of
 * it with no `dist/` (its repository cloned, or copied, without `npm ci`):
 * the hint says to build that copy.
 *
 * @param root - the project's directory: esbuild's paths are relative to it.
 * @param cause - what esbuild threw; its message stands for the lines when it gave none.
 */
function buildFailure(errors: readonly Message[], root: string, cause: unknown): BuildError {
  const lines: string[] = [];
  // Per package: the line that stands for its imports, and why none resolved (not installed, or a copy of cnf-admin not built).
  const missing = new Map<string, { line: number; first: Message; specifier: string; count: number; unbuilt: string | undefined }>();
  for (const message of errors) {
    const specifier = /^Could not resolve "([^"]+)"$/.exec(message.text)?.[1];
    const name = specifier === undefined ? undefined : packageOfSpecifier(specifier);
    const from = message.location === null ? root : dirname(join(root, message.location.file));
    const unbuilt = name === TOOL_PACKAGE ? unbuiltToolCopy(from) : undefined;
    if (specifier === undefined || name === undefined || (unbuilt === undefined && isPackageInstalled(name, from))) {
      lines.push(`${whereOf(message)}${message.text}`);
      continue;
    }
    const seen = missing.get(name);
    if (seen === undefined) missing.set(name, { line: lines.push('') - 1, first: message, specifier, count: 1, unbuilt });
    else {
      seen.count += 1;
      // The app's own import, rather than one inside node_modules, is the one to show.
      if (isDependency(seen.first) && !isDependency(message)) Object.assign(seen, { first: message, specifier });
    }
  }
  for (const [name, { line, first, specifier, count, unbuilt }] of missing) {
    const more = count === 1 ? '' : ` (and ${count - 1} more import${count === 2 ? '' : 's'} of it)`;
    const why = unbuilt === undefined ? `the package ${name} is not installed` : `${name} in ${unbuilt} is not built (it has no dist/)`;
    lines[line] = `${whereOf(first)}Could not resolve "${specifier}": ${why}${more}`;
  }
  const unbuilt = [...missing.values()].find((entry) => entry.unbuilt !== undefined)?.unbuilt;
  const packages = [...missing].filter(([, entry]) => entry.unbuilt === undefined).map(([name]) => name);
  const remedies = [
    ...(packages.length === 0 ? [] : [installHint(packages)]),
    ...(unbuilt === undefined
      ? []
      : [`Build ${TOOL_PACKAGE}: npm run build in ${unbuilt} (or npm ci there, which installs and builds it)`]),
  ].join('; ');
  const hint =
    missing.size === 0
      ? `Fix the code at the place named above, ${NOTHING_RAN}`
      : `${remedies}${lines.length > missing.size ? ', fix the code at the other places named above,' : ','} ${NOTHING_RAN}`;
  const text = lines.length === 0 ? (cause as Error).message : lines.join('\n  ');
  return new BuildError(`The application did not build:\n  ${text}`, { hint, cause });
}

function whereOf(message: Message): string {
  return message.location === null ? '' : `${message.location.file}:${message.location.line}:${message.location.column}: `;
}

function isDependency(message: Message): boolean {
  return message.location?.file.split('/').includes('node_modules') === true;
}

export { buildFailure, NOTHING_RAN };
