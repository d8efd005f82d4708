/**
 * The example app's admin function: its tasks, each loaded only when it
 * runs, and what its console sees. Scripts under scripts/ ship beside them.
 */
import { createAdminHandler } from 'cnf-admin/runtime';

export const handler = createAdminHandler({
  tasks: {
    migrate: () => import('./tasks/migrate.js'),
    seed: () => import('./tasks/seed.js'),
    'notes:purge': () => import('./tasks/notes-purge.js'),
    'notes:backfill': () => import('./tasks/notes-backfill.js'),
  },
  console: () => import('./console.js'),
});
