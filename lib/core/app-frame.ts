import { realpathSync } from 'node:fs';
import { sep } from 'node:path';

/** A stack frame's location: `at fn (/path/file.ts:3:9)` or `at /path/file.ts:3:9`. */
const FRAME_LOCATION = /^\s*at (?:.*\()?(.+?:\d+:\d+)\)?$/;

/**
 * Where in an app its own code failed: the first stack frame, of the
 * innermost stack first (stacks are given outermost first, as causes
 * nest), in a file under `dir` and outside `node_modules`, relative to
 * `dir` with its line and column; undefined when no frame is in the app.
 *
 * @example
 * appFrame([error.stack], '/work/app'); // 'bin/cdk-app.ts:12:7'
 */
function appFrame(stacks: readonly string[], dir: string): string | undefined {
  const roots = [...new Set([dir, realpathSync(dir)])].map((root) => `${root}${sep}`);
  for (const stack of [...stacks].reverse()) {
    for (const line of stack.split('\n')) {
      const location = FRAME_LOCATION.exec(line)?.[1];
      const root = roots.find((candidate) => location?.startsWith(candidate));
      if (location === undefined || root === undefined || location.includes(`${sep}node_modules${sep}`)) continue;
      return location.slice(root.length).split(sep).join('/');
    }
  }
  return undefined;
}

export { appFrame };
