/**
 * The part of the runtime the web function imports, as
 * `cnf-admin/runtime/config`: the config loader and nothing of the admin
 * side. (Importing the `cnf-admin/runtime` barrel from the web entry would
 * pull the admin handler and zod into the web function's chunks.)
 */
export { ConfigError, loadConfig } from './config-loader.js';
export type { LoadConfigOptions, LoadedConfig } from './config-loader.js';
