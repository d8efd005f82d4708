import * as z from 'zod/mini';
import type { ContainerStarted } from './container-run.js';
import type { RunError, RunResult } from './run.js';
import { useSchemaMessages } from './schema-messages.js';

const isoTime = z.string().check(z.refine((text) => !Number.isNaN(Date.parse(text)), { message: 'expected an ISO 8601 time' }));

const runErrorSchema = z.looseObject({
  name: z.string(),
  message: z.string(),
  unknownArg: z.optional(z.string()),
  fields: z.optional(z.array(z.looseObject({ field: z.string(), problem: z.string() }))),
}) satisfies z.ZodMiniType<RunError>;

const containerStartedSchema = z.looseObject({
  taskArn: z.string().check(z.minLength(1)),
  taskDefinition: z.string(),
  cluster: z.string(),
}) satisfies z.ZodMiniType<ContainerStarted>;

/**
 * What a run result must look like to be believed, wherever the CLI reads
 * one (an admin function's answer, a local run's result, a container task's
 * last log line). Fields it does not know are kept (a newer admin function
 * may add some); a known field of the wrong type makes it no run result.
 */
const runResultSchema = z.looseObject({
  runId: z.string().check(z.minLength(1)),
  task: z.string(),
  release: z.string(),
  exitCode: z.int().check(z.minimum(0), z.maximum(255)),
  durationMs: z.number().check(z.minimum(0)),
  output: z.optional(z.unknown()),
  error: z.optional(runErrorSchema),
  interruptedAt: z.optional(isoTime),
  container: z.optional(containerStartedSchema),
  configVersion: z.optional(z.int().check(z.minimum(1))),
}) satisfies z.ZodMiniType<RunResult>;

/**
 * A run result read from JSON, or what is wrong with it, naming the field
 * (`exitCode: Invalid input: expected int, received string`).
 *
 * @example
 * const read = parseRunResult(JSON.parse(payload));
 * if (!read.ok) throw new UnavailableError(`The admin function answered no run result: ${read.problem}`);
 */
function parseRunResult(
  value: unknown,
): { readonly ok: true; readonly result: RunResult } | { readonly ok: false; readonly problem: string } {
  useSchemaMessages();
  const parsed = runResultSchema.safeParse(value);
  if (parsed.success) return { ok: true, result: parsed.data };
  const issues = parsed.error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.map(String).join('.');
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
  return { ok: false, problem: issues.join('; ') };
}

/** Whether `value` is a run result, every known field of the right type. */
function isRunResult(value: unknown): value is RunResult {
  return parseRunResult(value).ok;
}

export { isRunResult, parseRunResult, runResultSchema };
