import type { Database } from './db.js';

/** A note, as the API returns it. */
interface Note extends Record<string, unknown> {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly created_at: string;
}

/** The newest notes first. */
function listNotes(db: Database, limit = 100): Promise<Note[]> {
  return db.query<Note>('SELECT id, title, body, created_at FROM notes ORDER BY created_at DESC, id DESC LIMIT $1', [limit]);
}

/** One note, or undefined. */
async function getNote(db: Database, id: string): Promise<Note | undefined> {
  const rows = await db.query<Note>('SELECT id, title, body, created_at FROM notes WHERE id = $1', [id]);
  return rows[0];
}

/** Stores a new note and returns it. */
async function createNote(db: Database, title: string, body: string): Promise<Note> {
  const rows = await db.query<Note>('INSERT INTO notes (title, body) VALUES ($1, $2) RETURNING id, title, body, created_at', [title, body]);
  return rows[0] as Note;
}

/** Deletes a note; resolves to whether it existed. */
async function deleteNote(db: Database, id: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM notes WHERE id = $1 RETURNING id', [id]);
  return rows.length > 0;
}

export { createNote, deleteNote, getNote, listNotes };
export type { Note };
