/*
 * The CLI's second door to lib/platform, beside open-platform.ts, for what a
 * command asks of the local stage before the rest of the CLI and the local
 * platform load: open-platform.ts loads the whole local platform with it
 * (runs, consoles, the database, logs), and these need only small modules.
 *
 * - `invoke` starts the load of a local run's release (lib/cli/prepare-invoke.ts),
 *   so that the run's process loads it while the CLI loads.
 * - `deploy` learns that there is nothing to deploy (lib/cli/commands/deploy.ts),
 *   and answers without loading the rest.
 * - an error the CLI reports is masked of the local stage's secure values
 *   (lib/cli/main.ts), whatever command failed.
 */
export { prepareLocalRun } from './local/prepare-run.js';
export { noChangeDeployment } from './local/unchanged-deployment.js';
export { localSecureValues } from './local/local-secure-values.js';
