import * as z from 'zod';
import { defineTask } from 'cnf-admin/runtime';
import { databaseFrom } from '../db.js';

export default defineTask({
  name: 'notes:purge',
  description: 'Delete notes older than a number of days',
  args: z.strictObject({
    olderThanDays: z.number().int().min(1).describe('Delete notes created more than this many days ago'),
    dryRun: z.boolean().default(false).describe('Count the notes that would be deleted, and delete nothing'),
  }),
  async run({ args, config, log }) {
    const db = databaseFrom(config);
    const cutoff = 'now() - make_interval(days => $1::int)';
    if (args.dryRun) {
      const [row] = await db.query<{ count: string }>(`SELECT count(*) FROM notes WHERE created_at < ${cutoff}`, [args.olderThanDays]);
      const count = Number(row?.count ?? 0);
      log.info(`Dry run: ${count} note(s) older than ${args.olderThanDays} day(s) would be deleted`);
      return { deleted: 0, wouldDelete: count };
    }
    const rows = await db.query(`DELETE FROM notes WHERE created_at < ${cutoff} RETURNING id`, [args.olderThanDays]);
    log.info(`Deleted ${rows.length} note(s) older than ${args.olderThanDays} day(s)`);
    return { deleted: rows.length };
  },
});
