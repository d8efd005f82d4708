import { defineMigrateTask } from 'cnf-admin/migrations';

/*
 * The migrations ship inside the bundle (lambda/migrations, listed in
 * cdk.json's assetDirs), so a release always migrates to exactly the schema
 * its code expects, and refuses a database that a newer release migrated.
 */
export default defineMigrateTask({ description: 'Apply pending SQL migrations from lambda/migrations to the database' });
