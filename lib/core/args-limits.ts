/**
 * How deep and how large a task's args may be, checked before anything runs
 * (exit 64), by the CLI and again by the admin handler for events from any
 * source.
 *
 * Args travel in the admin event, are parsed by the task's schema, recorded
 * in the ledger and logged: without a bound, args nested thousands of levels
 * deep overflow the stack of whichever of these steps recurses first.
 */

/** The deepest task args may nest objects and arrays: `{"a": {"b": 1}}` is 2 levels. */
const MAX_ARGS_DEPTH = 32;

/**
 * The largest task args may be, as UTF-8 JSON (flags count with their text):
 * 256 KB, Lambda's payload limit for an asynchronous invoke (`--detach`, a
 * schedule), so that a run that starts one way can start every way.
 */
const MAX_ARGS_BYTES = 256 * 1024;

/**
 * Whether `value` nests objects or arrays deeper than `limit` levels. Walks
 * with a stack of its own, never recursion, so that any depth is safe to check.
 *
 * @example
 * nestsDeeperThan({ a: { b: 1 } }, 1); // true
 * nestsDeeperThan({ a: { b: 1 } }, 2); // false
 */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { readonly value: unknown; readonly depth: number }[] = [{ value, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth > limit) return true;
    for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

/**
 * Where `value` holds a key named `__proto__`, as a path (`args.filter`), or
 * undefined: JSON.parse makes it an own key, but the first copy of the
 * object (a spread, a schema's parse) takes it as the object's prototype,
 * and the arg is gone without a word. Walks with a stack of its own.
 */
function prototypeKeyPath(value: unknown): string | undefined {
  const pending: { readonly value: unknown; readonly path: string }[] = [{ value, path: 'args' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (Object.hasOwn(next.value, '__proto__')) return next.path;
    for (const [key, child] of Object.entries(next.value)) pending.push({ value: child, path: `${next.path}.${key}` });
  }
  return undefined;
}

/** Text's size as UTF-8, as the limit counts it. */
function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** `300.5 KB` */
function formatKb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
}

/**
 * What is wrong with task args against the limits, in words that name the
 * limit, or undefined when they fit: too deep, a key named `__proto__`
 * (which no task could read), too large.
 *
 * @param what - how the message names the args, e.g. `--args` or `The event's args`
 * @param args - the args as an object (from JSON)
 * @param argv - the args as flags, when they came so
 * @param maxBytes - the size limit; the reserved tasks' args (a console session's saved state) are the tool's own, and bounded by Lambda's 6 MB of a synchronous invoke
 *
 * @example
 * argsLimitProblem('--args', deeplyNested); // '--args: nested more than 32 levels deep; task args may nest at most 32 levels.'
 */
function argsLimitProblem(
  what: string,
  args: unknown,
  argv: readonly string[] = [],
  maxBytes: number = MAX_ARGS_BYTES,
): string | undefined {
  if (nestsDeeperThan(args, MAX_ARGS_DEPTH)) {
    return `${what}: nested more than ${MAX_ARGS_DEPTH} levels deep; task args may nest at most ${MAX_ARGS_DEPTH} levels.`;
  }
  // The reserved tasks' args are the tool's own (a console session's state): bounded in depth only.
  if (maxBytes === Infinity) return undefined;
  const prototypeKey = prototypeKeyPath(args);
  if (prototypeKey !== undefined) {
    return `${what}: ${prototypeKey} holds a key named "__proto__", which JavaScript reads as the object's prototype, not as an arg; name it otherwise.`;
  }
  const bytes = utf8Bytes(JSON.stringify(args) ?? '') + argv.reduce((sum, token) => sum + utf8Bytes(token) + 1, 0);
  return bytes > maxBytes ? sizeProblem(what, bytes) : undefined;
}

/**
 * What is wrong with task args text (`--args '<json>'`, or flags) that is
 * larger than the limit before it is even parsed, or undefined.
 */
function argsTextProblem(what: string, text: string): string | undefined {
  const bytes = utf8Bytes(text);
  return bytes > MAX_ARGS_BYTES ? sizeProblem(what, bytes) : undefined;
}

function sizeProblem(what: string, bytes: number): string {
  return `${what}: ${formatKb(bytes)}; task args may take at most ${formatKb(MAX_ARGS_BYTES)} (Lambda's payload limit for an asynchronous invoke). Pass large data by reference, e.g. an S3 key.`;
}

export { argsLimitProblem, argsTextProblem, MAX_ARGS_BYTES, MAX_ARGS_DEPTH, nestsDeeperThan };
