/**
 * One-time fix: notes whose titles were saved with stray whitespace, or
 * blank, before the API trimmed and checked them. Trims every title and
 * names the blank ones "(untitled)".
 *
 *   npx cnf-admin run scripts/fix-bad-records.ts -- --dry-run
 */
import * as z from 'zod';
import { defineScript } from 'cnf-admin/runtime';
import { databaseFrom } from '../lambda/db.js';

export default defineScript({
  description: 'Trim note titles and name blank ones "(untitled)"',
  args: z.strictObject({ dryRun: z.boolean().default(false).describe('Report the bad records and change nothing') }),
  async run({ args, config, log }) {
    const db = databaseFrom(config);
    const bad = await db.query<{ id: string; title: string }>(
      "SELECT id, title FROM notes WHERE title <> btrim(title) OR btrim(title) = '' ORDER BY id",
    );
    for (const note of bad) log.info(`${args.dryRun ? 'Would fix' : 'Fixing'} note ${note.id}`, { title: note.title });
    if (!args.dryRun && bad.length > 0) {
      await db.query(
        "UPDATE notes SET title = CASE WHEN btrim(title) = '' THEN '(untitled)' ELSE btrim(title) END WHERE title <> btrim(title) OR btrim(title) = ''",
      );
    }
    log.info(`${bad.length} bad record(s) ${args.dryRun ? 'found' : 'fixed'}`);
    return { bad: bad.length, fixed: args.dryRun ? 0 : bad.length };
  },
});
