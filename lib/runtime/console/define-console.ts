import type { Logger } from '@aws-lambda-powertools/logger';

/**
 * What the console's scope is built from.
 *
 * @example
 * export default defineConsole(async ({ config, log }: ConsoleScopeInput) => {
 *   log.info('Console scope built');
 *   return { db: databaseFrom(config) };
 * });
 */
interface ConsoleScopeInput {
  /** The stage's parameter set, read fresh. */
  readonly config: Readonly<Record<string, string>>;
  /** The structured logger of the evaluation's run. */
  readonly log: Logger;
}

/**
 * Builds the names a console session sees: a database handle, the app's modules, anything useful.
 *
 * @example
 * const scope: ConsoleScopeFactory = async ({ config }) => ({ db: databaseFrom(config) });
 * export default defineConsole(scope);
 */
type ConsoleScopeFactory = (input: ConsoleScopeInput) => Promise<Record<string, unknown>>;

/**
 * Defines what `cnf-admin console` sees besides `config` and `log`: the
 * app's database handle and modules. Registered in `admin.ts` as
 * `createAdminHandler({ tasks, console: () => import('./console.js') })`.
 *
 * @example
 * export default defineConsole(async ({ config }) => ({
 *   db: databaseFrom(config),
 *   notes: await import('./notes.js'),
 * }));
 */
function defineConsole(factory: ConsoleScopeFactory): ConsoleScopeFactory {
  return factory;
}

export { defineConsole };
export type { ConsoleScopeFactory, ConsoleScopeInput };
