/*
 * The CLI's second door to lib/platform, beside open-platform.ts, for one
 * thing: the start of a local run's load, which `invoke` makes before the
 * rest of the CLI loads (lib/cli/prepare-invoke.ts). open-platform.ts loads
 * the whole local platform with it; this loads only what the guess needs,
 * so that the run's process loads the release while the CLI loads.
 */
export { prepareLocalRun } from './local/prepare-run.js';
