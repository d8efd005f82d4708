import * as z from 'zod';
import { defineTask } from 'cnf-admin/runtime';
import { databaseFrom } from '../db.js';

const SAMPLE_TITLES = ['Buy milk', 'Call the bank', 'Water the plants', 'Book flights', 'Read the design doc'];

export default defineTask({
  name: 'seed',
  description: 'Insert sample notes, for a fresh development database',
  args: z.strictObject({
    count: z.number().int().min(1).max(10_000).default(5).describe('How many notes to insert'),
  }),
  async run({ args, config, log }) {
    const db = databaseFrom(config);
    await db.transaction(async (tx) => {
      for (let index = 0; index < args.count; index += 1) {
        const title = SAMPLE_TITLES[index % SAMPLE_TITLES.length] ?? 'Note';
        await tx.query('INSERT INTO notes (title, body) VALUES ($1, $2)', [title, `Sample note ${index + 1}`]);
      }
    });
    log.info(`Inserted ${args.count} sample note(s)`);
    return { inserted: args.count };
  },
});
