/*
 * esbuild is a Go program: the JS API starts it once per process, and it
 * inherits this process's environment, `GOGC` (how far the Go heap grows
 * between collections) among it. Go's default, 100, collects at twice the
 * live heap; a bundle build allocates much and keeps little, so that
 * collects often for nothing. Measured on the tasks fixture's bundle (a
 * 2-core machine, 2026-12-06): 530 ms of processor time and 304 ms of wall
 * time per build at 100; 399 and 259 ms at 400; 377 and 244 ms with the
 * collector off, which esbuild's own command line does for one build, but
 * which lets a process that builds again and again (a CDK app, a test
 * run) grow without end. 400 keeps the heap within five times what a build
 * holds at once, and resident memory the same (some 65 MB for that build).
 */

/** The `GOGC` esbuild starts with, unless the environment sets one. */
const ESBUILD_GOGC = '400';

/**
 * Calls `start`, which may start esbuild's service process, with `GOGC` set
 * for it (see above) unless the user set it (an empty `GOGC`, which Go reads
 * as its default, counts as unset); the environment is put back as it was
 * before this returns, so nothing else this process starts inherits it.
 */
function withEsbuildCollector<T>(start: () => T): T {
  const before = process.env.GOGC;
  if (before !== undefined && before !== '') return start();
  process.env.GOGC = ESBUILD_GOGC;
  try {
    return start();
  } finally {
    if (before === undefined) delete process.env.GOGC;
    else process.env.GOGC = before;
  }
}

export { withEsbuildCollector };
