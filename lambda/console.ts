/**
 * What `cnf-admin console` sees besides `config` and `log`: the database and
 * the app's notes module, ready to use.
 *
 *   notes:local> const recent = await notes.listNotes(db, 3)
 *   notes:local> recent.map((note) => note.title)
 */
import { defineConsole } from 'cnf-admin/runtime';
import { databaseFrom } from './db.js';

export default defineConsole(async ({ config }) => ({
  db: databaseFrom(config),
  notes: await import('./notes.js'),
}));
