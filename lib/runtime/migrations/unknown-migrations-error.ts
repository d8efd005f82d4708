/**
 * The database holds migrations that the running release does not ship: a
 * newer release migrated it. Running this release's migrations (and code)
 * against that schema is only safe when those migrations were written to be
 * backward compatible (expand/contract), which the tool cannot tell; the
 * task refuses unless told `--force`.
 *
 * @example
 * throw new UnknownMigrationsError(['0003_drop_title']);
 */
class UnknownMigrationsError extends Error {
  override readonly name = 'UnknownMigrationsError';

  /** The applied migrations that this release does not ship, in name order. */
  readonly migrations: readonly string[];

  constructor(migrations: readonly string[], options?: ErrorOptions) {
    super(
      `The database holds ${migrations.length} migration(s) that this release does not ship: ${migrations.join(', ')}. ` +
        'A newer release applied them, and this release was not written against that schema. ' +
        'Roll forward to a release that ships them, or, if they only added to the schema (expand/contract), ' +
        'run again with --force (this runs the release on a schema it has not seen).',
      options,
    );
    this.migrations = migrations;
  }
}

export { UnknownMigrationsError };
