/*
 * Where a release's bundle lives while it runs: under the local stage's
 * release store (`.cnf/local/releases/r-<hash>/bundle/`), or at Lambda's and
 * the container image's task root (`/var/task/`). A path inside it, past
 * that prefix, is the path of the same file in the project. The prefix is
 * matched from where the frame's location starts (after `(`, or after `at `
 * when the frame names no function), so that a project path with a space in
 * it (`/home/a/my app/.cnf/…`) goes whole.
 */
const BUNDLE_ROOT = /(?<=\(|^\s+at (?:async )?)(?:file:\/\/)?(?:[^()]*\/releases\/r-[0-9a-f]+\/bundle\/|\/var\/task\/)/;

/** A stack frame line: `    at name (file:line:column)` or `    at file:line:column`. */
const FRAME = /^\s+at\s/;

/**
 * A frame as a person reads it, or undefined for a frame that is not the
 * user's code (cnf-admin's own, Node's, a dependency's): the bundle's path
 * becomes the project-relative path an editor opens (`lambda/tasks/seed.ts:18:9`).
 */
function cleanFrame(line: string): string | undefined {
  const match = BUNDLE_ROOT.exec(line);
  if (match === null) return isProjectLocation(line) ? line : undefined;
  const rest = line.slice(match.index + match[0].length);
  if (rest.startsWith('node_modules/') || rest.startsWith('../')) return undefined;
  return `${line.slice(0, match.index)}${rest}`;
}

/** Whether a frame's location is already a path in the project (relative, outside node_modules). */
function isProjectLocation(line: string): boolean {
  const location = /\(([^()]+)\)\s*$/.exec(line)?.[1] ?? line.replace(FRAME, '').replace(/^async\s+/, '');
  return (
    /^[\w@.-][^:]*:\d+:\d+$/.test(location) &&
    !location.startsWith('node:') &&
    !location.includes('node_modules/') &&
    !location.startsWith('..')
  );
}

/**
 * A stack trace as Rails' backtrace cleaner shows one: its message lines as
 * they are, then only the frames of the user's code, with project-relative
 * paths. A stack with no frame of the user's code keeps its message alone.
 *
 * @example
 * cleanBacktrace('Error: bad\n    at seed (/app/.cnf/local/releases/r-0123456789ab/bundle/lambda/tasks/seed.ts:18:9)\n    at runTask (/app/node_modules/cnf-admin/lib/runtime/run-task.ts:9:1)');
 * // 'Error: bad\n    at seed (lambda/tasks/seed.ts:18:9)'
 */
function cleanBacktrace(stack: string): string {
  const lines: string[] = [];
  for (const line of stack.split('\n')) {
    if (!FRAME.test(line)) lines.push(line);
    else {
      const cleaned = cleanFrame(line);
      if (cleaned !== undefined) lines.push(cleaned);
    }
  }
  return lines.join('\n');
}

/** Whether a line of plain output is a stack frame (of a crash Node printed itself). */
function isStackFrame(line: string): boolean {
  return FRAME.test(line);
}

export { cleanBacktrace, cleanFrame, isStackFrame };
