/**
 * The example app's admin function: its tasks, each loaded only when it runs.
 */
import { createAdminHandler } from 'cnf-admin/runtime';

export const handler = createAdminHandler({
  tasks: {
    migrate: () => import('./tasks/migrate.js'),
    seed: () => import('./tasks/seed.js'),
    'notes:purge': () => import('./tasks/notes-purge.js'),
  },
});
