import * as z from 'zod/mini';
import { isValidRunId, RUN_SOURCES, type AdminEvent, type RunSource } from './run.js';
import { useSchemaMessages } from './schema-messages.js';

/**
 * What an admin event must look like to be run. Fields it does not know are
 * kept (a newer CLI may send some); a known field of the wrong type refuses
 * the event before anything runs. Its fields are checked in the order here,
 * and the first wrong one is named.
 */
const adminEventSchema = z.looseObject({
  task: z.string().check(z.minLength(1)),
  runId: z.optional(z.string().check(z.refine(isValidRunId, { message: 'expected a run id' }))),
  source: z.optional(z.enum(RUN_SOURCES as [RunSource, ...RunSource[]])),
  args: z.optional(z.record(z.string(), z.unknown())),
  argv: z.optional(z.array(z.string())),
  waitLockSeconds: z.optional(z.number().check(z.minimum(0))),
  configVersion: z.optional(z.int().check(z.minimum(1))),
  caller: z.optional(z.string()),
  stream: z.optional(z.boolean()),
  release: z.optional(z.string()),
}) satisfies z.ZodMiniType<AdminEvent>;

/** What each field must be, in the words a refusal uses. */
const EXPECTED: Readonly<Partial<Record<keyof AdminEvent, string>>> = {
  args: 'must be an object',
  argv: 'must be an array of strings',
  waitLockSeconds: 'must be a number of seconds >= 0',
  configVersion: 'must be a config version number (7 for v7)',
};

/**
 * An admin event checked against {@link adminEventSchema}, or the first
 * field that is wrong and a one-line message naming it and its value.
 *
 * @example
 * const read = parseAdminEvent({ task: 'migrate', source: 'cron' });
 * // { ok: false, field: 'source', message: 'Invalid source "cron": use one of cli, schedule, console, release-phase, ui.' }
 */
function parseAdminEvent(
  value: unknown,
): { readonly ok: true; readonly event: AdminEvent } | { readonly ok: false; readonly field: string; readonly message: string } {
  useSchemaMessages();
  const parsed = adminEventSchema.safeParse(value);
  if (parsed.success) return { ok: true, event: parsed.data };
  const issue = parsed.error.issues[0];
  const field = String(issue?.path[0] ?? '');
  const got = field === '' ? value : (value as Record<string, unknown>)[field];
  return { ok: false, field, message: problemOf(field, got, issue?.message ?? 'invalid') };
}

function problemOf(field: string, got: unknown, issue: string): string {
  if (field === 'task') return 'The admin event has no "task": send e.g. {"task": "<task name>"}.';
  if (field === 'runId') return `Invalid runId ${JSON.stringify(got)}: use 1-128 letters, digits, '.', '_' or '-'.`;
  if (field === 'source') return `Invalid source ${JSON.stringify(got)}: use one of ${RUN_SOURCES.join(', ')}.`;
  if (field === '') return `The admin event must be a JSON object, got: ${JSON.stringify(got) ?? String(got)}`;
  const expected = EXPECTED[field as keyof AdminEvent];
  return `"${field}" ${expected ?? `is invalid (${issue})`}, got: ${JSON.stringify(got)}`;
}

export { adminEventSchema, parseAdminEvent };
