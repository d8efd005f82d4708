import umzug from 'umzug';

/**
 * umzug's migrator, with which `cnf-admin/migrations` applies pending
 * migrations, loaded only when some are pending. The package's build
 * bundles it (see ssm.ts) without its command line (`Umzug.getCli`,
 * `runAsCLI`), which the runtime never starts: that part alone brought some
 * 1 MB of a command-line library and its dependencies into every app's
 * release.
 *
 * @example
 * const { Umzug } = await import('../vendor/umzug.js');
 * const pending = await new Umzug({ migrations, storage, logger: undefined }).pending();
 */
export const { Umzug } = umzug;
