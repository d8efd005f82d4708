import { z } from 'zod';
import { UnavailableError } from '../../core/errors.js';
import { isValidRunId, RUN_SOURCES, type RunRecord } from '../../core/run.js';

const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), { message: 'expected an ISO 8601 time' });

/**
 * What a run record in the ledger must look like to be believed. Fields it
 * does not know are kept (a newer cnf-admin may add some), but a known field
 * with the wrong type is corrupted state: `"exitCode": "zero"` must never
 * read as a run still in progress.
 */
const runRecordSchema = z.looseObject({
  runId: z.string().refine(isValidRunId, { message: 'expected a run id' }),
  task: z.string().min(1),
  args: z.record(z.string(), z.unknown()),
  argsHash: z.string().optional(),
  release: z.string(),
  source: z.enum(RUN_SOURCES as [RunRecord['source'], ...RunRecord['source'][]]),
  caller: z.string(),
  startedAt: isoTime,
  endedAt: isoTime.optional(),
  exitCode: z.number().int().min(0).max(255).optional(),
  durationMs: z.number().min(0).optional(),
  configFingerprint: z.string().optional(),
  configVersion: z.number().int().min(1).optional(),
  log: z.string(),
  deadline: isoTime.optional(),
  error: z.object({ name: z.string(), message: z.string() }).optional(),
  interruptedAt: isoTime.optional(),
  result: z.unknown().optional(),
  ecsTask: z.string().optional(),
  owner: z
    .object({
      pid: z.number().int().positive(),
      startTime: z.string(),
      host: z.string(),
      runner: z.object({ pid: z.number().int().positive(), startTime: z.string() }).optional(),
    })
    .optional(),
}) satisfies z.ZodType<RunRecord>;

/**
 * One line that says what is wrong with a value, from a schema's issues:
 * `exitCode: Invalid input: expected number, received string`.
 */
function describeIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.map(String).join('.');
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
  return `${issues.join('; ')}${error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : ''}`;
}

/**
 * Checks a record read from the ledger.
 *
 * @param where - names the record for the message: a file, or a table item
 * @param hint - how to recover
 * @throws UnavailableError (69) naming `where` and the bad field, when the record is corrupted.
 */
function parseRunRecord(value: unknown, where: string, hint: string): RunRecord {
  const parsed = runRecordSchema.safeParse(value);
  if (!parsed.success) {
    throw new UnavailableError(`The run ledger's record ${where} is corrupted: ${describeIssues(parsed.error)}`, { hint });
  }
  return parsed.data;
}

export { describeIssues, parseRunRecord, runRecordSchema };
