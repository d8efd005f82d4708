import type { IConstruct } from 'constructs';
import type { TaskCatalog, TaskInfo } from '../../core/task-catalog.js';
import { ConstructValidationError } from '../errors.js';

/** The part of a task's JSON Schema that a synth-time check of args reads. */
interface ObjectSchema {
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: unknown;
}

/**
 * The task named `name` in a release's catalog.
 *
 * @param where the prop that names the task, e.g. `schedules[0].task`.
 * @throws ConstructValidationError naming the task, the prop and the tasks the release has.
 */
function catalogTask(scope: IConstruct, catalog: TaskCatalog, release: string, name: string, where: string): TaskInfo {
  const task = catalog.tasks.find((candidate) => candidate.name === name);
  if (task === undefined) {
    const known = catalog.tasks.map((candidate) => candidate.name).join(', ') || '(none)';
    throw new ConstructValidationError(
      scope,
      `${where} names task ${JSON.stringify(name)}, which release ${release} does not have. Its tasks: ${known}.`,
    );
  }
  return task;
}

/**
 * Checks args given in props against the task's args schema as far as it can
 * without running the task: every required arg is there, and no arg is
 * unknown to a strict schema. The admin handler checks types when it runs.
 *
 * @param where the prop that holds the args, e.g. `schedules[0].args`.
 * @throws ConstructValidationError naming the missing or unknown arg.
 */
function assertArgsFit(scope: IConstruct, task: TaskInfo, args: Readonly<Record<string, unknown>>, where: string): void {
  const schema = task.args as ObjectSchema;
  const missing = (schema.required ?? []).filter((key) => !(key in args));
  if (missing.length > 0) {
    throw new ConstructValidationError(scope, `${where} lacks ${missing.join(', ')}, which task ${task.name} requires.`);
  }
  if (schema.additionalProperties === false) {
    const known = Object.keys(schema.properties ?? {});
    const unknown = Object.keys(args).filter((key) => !known.includes(key));
    if (unknown.length > 0) {
      throw new ConstructValidationError(
        scope,
        `${where} has ${unknown.join(', ')}, which task ${task.name} does not take. Its args: ${known.join(', ') || '(none)'}.`,
      );
    }
  }
}

export { assertArgsFit, catalogTask };
