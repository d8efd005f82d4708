/**
 * Run before each test file of every project (vitest.config.ts, `setupFiles`):
 * the directories the file made with `tempDir` go once its tests are done.
 *
 * A hook registered where `temp-dir.ts` is imported would not do: files that
 * share a worker process (`isolate: false`) import that module once, so only
 * the first file of each worker would register it, and the others' directories
 * stayed in the system's temporary directory. Setup files run for every file.
 * In the unit project this runs after `shared-worker-cleanup.ts`, whose
 * `vi.resetModules()` would otherwise give the test file another copy of the
 * list than the one this hook empties.
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.js';

afterAll(removeTempDirs);
