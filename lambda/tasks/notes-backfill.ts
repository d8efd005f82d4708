import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { defineTask } from 'cnf-admin/runtime';
import { databaseFrom } from '../db.js';

/**
 * A batched backfill, the kind of work that outlasts Lambda's 15 minutes on
 * a big table: it runs as a Fargate task (`runtime: 'container'`) for up to
 * four hours. It walks the notes by id in batches, each batch one short
 * transaction, so that it never holds a long lock; between batches it checks
 * its signal (a timeout, Ctrl-C locally, or ECS stopping the task) and stops
 * cleanly, saying where to resume with `--after-id`.
 */
export default defineTask({
  name: 'notes:backfill',
  description: 'Trim the titles and bodies of all notes, in batches (runs on ECS Fargate: up to 4 hours)',
  args: z.strictObject({
    batchSize: z.number().int().min(1).max(10_000).default(500).describe('Notes per batch (one transaction each)'),
    afterId: z.number().int().min(0).default(0).describe('Resume after this note id'),
    pauseMs: z.number().int().min(0).max(60_000).default(0).describe('Pause between batches, to spare the database'),
  }),
  options: { runtime: 'container', timeoutSeconds: 4 * 3600, lock: true },
  async run({ args, config, log, signal }) {
    const db = databaseFrom(config);
    let afterId = args.afterId;
    let batches = 0;
    let changed = 0;
    for (;;) {
      if (signal.aborted) {
        log.warn(`Stopped after ${batches} batch(es); resume with --after-id ${afterId}`, { reason: String(signal.reason) });
        return { batches, changed, resumeAfterId: afterId, complete: false };
      }
      const rows = await db.transaction(async (tx) => {
        const batch = await tx.query<{ id: string }>('SELECT id FROM notes WHERE id > $1 ORDER BY id LIMIT $2 FOR UPDATE', [
          afterId,
          args.batchSize,
        ]);
        if (batch.length === 0) return { last: undefined, updated: 0 };
        const last = Number(batch[batch.length - 1]?.id);
        const updated = await tx.query(
          `UPDATE notes SET title = btrim(title), body = btrim(body)
            WHERE id > $1 AND id <= $2 AND (title <> btrim(title) OR body <> btrim(body)) RETURNING id`,
          [afterId, last],
        );
        return { last, updated: updated.length };
      });
      if (rows.last === undefined) break;
      batches += 1;
      changed += rows.updated;
      afterId = rows.last;
      log.info(`Batch ${batches}: up to note ${afterId}, ${rows.updated} changed`);
      if (args.pauseMs > 0) await pause(args.pauseMs, signal);
    }
    log.info(`Backfill complete: ${batches} batch(es), ${changed} note(s) changed`);
    return { batches, changed, resumeAfterId: afterId, complete: true };
  },
});

/** Waits `ms`, or less when `signal` fires first; either way the wait leaves no listener on the signal behind. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  // An abort rejects the wait (AbortError): the loop's next turn sees the signal and stops cleanly.
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}
