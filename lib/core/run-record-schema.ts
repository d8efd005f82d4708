import * as z from 'zod/mini';
import { useSchemaMessages } from './schema-messages.js';
import { UnavailableError } from './errors.js';
import { describeIssues } from './schema-issues.js';
import { isValidRunId, RUN_SOURCES, type RunRecord } from './run.js';

const isoTime = z.string().check(z.refine((text) => !Number.isNaN(Date.parse(text)), { message: 'expected an ISO 8601 time' }));

/**
 * What a run record in the ledger must look like to be believed. Fields it
 * does not know are kept (a newer cnf-admin may add some), but a known field
 * with the wrong type is corrupted state: `"exitCode": "zero"` must never
 * read as a run still in progress.
 */
const runRecordSchema = z.looseObject({
  runId: z.string().check(z.refine(isValidRunId, { message: 'expected a run id' })),
  task: z.string().check(z.minLength(1)),
  args: z.record(z.string(), z.unknown()),
  argsHash: z.optional(z.string()),
  release: z.string(),
  source: z.enum(RUN_SOURCES as [RunRecord['source'], ...RunRecord['source'][]]),
  caller: z.string(),
  startedAt: isoTime,
  endedAt: z.optional(isoTime),
  exitCode: z.optional(z.int().check(z.minimum(0), z.maximum(255))),
  durationMs: z.optional(z.number().check(z.minimum(0))),
  configFingerprint: z.optional(z.string()),
  configVersion: z.optional(z.int().check(z.minimum(1))),
  log: z.string(),
  deadline: z.optional(isoTime),
  error: z.optional(z.object({ name: z.string(), message: z.string() })),
  interruptedAt: z.optional(isoTime),
  result: z.optional(z.unknown()),
  ecsTask: z.optional(z.string()),
  containerStartedAt: z.optional(isoTime),
  notStarted: z.optional(z.boolean()),
  clientToken: z.optional(z.string()),
  stopRequestedAt: z.optional(isoTime),
  stopRequestedBy: z.optional(z.string()),
  owner: z.optional(
    z.object({
      pid: z.int().check(z.positive()),
      startTime: z.string(),
      host: z.string(),
      runner: z.optional(z.object({ pid: z.int().check(z.positive()), startTime: z.string() })),
    }),
  ),
}) satisfies z.ZodMiniType<RunRecord>;

/**
 * Checks a record read from the ledger.
 *
 * @param where - names the record for the message: a file, or a table item
 * @param hint - how to recover
 * @throws UnavailableError (69) naming `where` and the bad field, when the record is corrupted.
 */
function parseRunRecord(value: unknown, where: string, hint: string): RunRecord {
  useSchemaMessages();
  const parsed = runRecordSchema.safeParse(value);
  if (!parsed.success) {
    throw new UnavailableError(`The run ledger's record ${where} is corrupted: ${describeIssues(parsed.error)}`, { hint });
  }
  return parsed.data;
}

export { parseRunRecord, runRecordSchema };
