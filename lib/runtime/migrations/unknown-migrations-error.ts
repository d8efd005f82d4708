/** The name {@link UnknownMigrationsError} carries into a run's result, where a rollback's release phase tells it apart. */
const UNKNOWN_MIGRATIONS_ERROR = 'UnknownMigrationsError';

/**
 * The database holds migrations that the running release does not ship: a
 * newer release migrated it. Running this release's migrations (and code)
 * against that schema is only safe when those migrations were written to be
 * backward compatible (expand/contract), which the tool cannot tell; the
 * task refuses unless told `--force`.
 *
 * @example
 * throw new UnknownMigrationsError(['0003_drop_title'], { task: 'migrate' });
 */
class UnknownMigrationsError extends Error {
  override readonly name = UNKNOWN_MIGRATIONS_ERROR;

  /** The applied migrations that this release does not ship, in name order. */
  readonly migrations: readonly string[];

  /**
   * @param migrations - the applied migrations this release does not ship
   * @param options - the error's cause, and the name of the migrate task (`migrate` unless given), which the hint names
   */
  constructor(migrations: readonly string[], options?: ErrorOptions & { readonly task?: string }) {
    const task = options?.task ?? 'migrate';
    super(
      `The database holds ${migrations.length} migration(s) that this release does not ship: ${migrations.join(', ')}. ` +
        'A newer release applied them, and this release was not written against that schema. ' +
        'Roll forward to a release that ships them, or, if they only added to the schema (expand/contract), ' +
        `run the task again with its force arg: cnf-admin invoke ${task} -- --force, or args {"force": true} ` +
        '(this runs the release on a schema it has not seen).',
      options,
    );
    this.migrations = migrations;
  }
}

export { UNKNOWN_MIGRATIONS_ERROR, UnknownMigrationsError };
