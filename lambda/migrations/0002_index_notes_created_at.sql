-- notes:purge deletes by age; listing shows the newest first.
CREATE INDEX notes_created_at_idx ON notes (created_at);
