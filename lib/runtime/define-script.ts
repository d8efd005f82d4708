import type * as z from 'zod';
import type { TaskContext, TaskOptions } from './define-task.js';

/**
 * How a one-off script is written: a task whose name is its path under `scripts/`.
 *
 * @example
 * const definition: ScriptDefinition<typeof args> = {
 *   description: 'Give untitled notes a title',
 *   args: z.strictObject({ dryRun: z.boolean().default(false) }),
 *   async run({ args, log }) {
 *     log.info('Fixing', { dryRun: args.dryRun });
 *   },
 * };
 * export default defineScript(definition);
 */
interface ScriptDefinition<Schema extends z.ZodType> {
  /** One line for `cnf-admin tasks`. */
  readonly description: string;
  /** @default - no args: `z.strictObject({})` */
  readonly args?: Schema;
  /** @default - no timeout shorter than the function's, no lock */
  readonly options?: TaskOptions;
  /** Does the work; a returned value becomes the run result's `output`. */
  run(context: TaskContext<z.output<Schema>>): Promise<unknown>;
}

/**
 * A defined script, before the bundle's path names it.
 *
 * @example
 * // scripts/fix-bad-records.ts: run it with `cnf-admin run scripts/fix-bad-records.ts`
 * const script: Script = defineScript({ description: 'Fix bad records', async run() {} });
 * export default script;
 */
interface Script<Schema extends z.ZodType = z.ZodType> extends ScriptDefinition<Schema> {
  /** Marks the module's default export as a script made by {@link defineScript}. */
  readonly kind: 'cnf-script';
}

/**
 * Defines a one-time script: a file under `scripts/`, committed to the repo,
 * bundled into the release on the admin side only, and run by its path with
 * `cnf-admin run scripts/<file>.ts`. It gets the same context as a task.
 *
 * @example
 * export default defineScript({
 *   description: 'Give untitled notes a title',
 *   args: z.strictObject({ dryRun: z.boolean().default(false) }),
 *   async run({ args, config, log }) { ... },
 * });
 */
function defineScript<Schema extends z.ZodType = z.ZodObject<{}>>(definition: ScriptDefinition<Schema>): Script<Schema> {
  return { ...definition, kind: 'cnf-script' };
}

export { defineScript };
export type { Script, ScriptDefinition };
