/*
 * umzug, the migrator `cnf-admin/migrations` applies pending migrations with,
 * loaded only when some are pending. Bundled at the package's build (see
 * ssm.ts) without its command line (`Umzug.getCli`, `runAsCLI`), which the
 * runtime never starts: that part alone brought some 1 MB of a command-line
 * library and its dependencies into every app's release.
 */
import umzug from 'umzug';

export const { Umzug } = umzug;
