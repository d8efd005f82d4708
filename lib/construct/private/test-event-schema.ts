import type { TaskInfo } from '../../core/task-catalog.js';

/** The EventBridge schema registry where the Lambda console keeps shareable test events. */
const TEST_EVENT_REGISTRY = 'lambda-testevent-schemas';

/*
 * The console takes test event names of letters, digits, '.', '-' and '_',
 * at most 25 long; task names may hold ':' (`notes:purge` becomes `notes-purge`).
 */
const EVENT_NAME_MAX = 25;

/** A property of a task's args, as far as an example needs it. */
interface ArgSchema {
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
}

/** The schema the console reads a function's shareable test events from: `_<function-name>-schema`. */
function testEventSchemaName(functionName: string): string {
  return `_${functionName}-schema`;
}

/**
 * The OpenAPI 3 document that holds one shareable test event per task, the
 * way the Lambda console stores them: `components.examples.<name>.value` is
 * the admin event, e.g. `{ "task": "migrate" }`.
 */
function testEventSchema(tasks: readonly TaskInfo[]): Record<string, unknown> {
  const examples: Record<string, { value: Record<string, unknown> }> = {};
  for (const task of tasks) {
    const args = exampleArgs(task);
    examples[eventName(task.name, Object.keys(examples))] = {
      value: Object.keys(args).length === 0 ? { task: task.name } : { task: task.name, args },
    };
  }
  return {
    openapi: '3.0.0',
    info: { version: '1.0.0', title: 'Event' },
    paths: {},
    components: {
      schemas: {
        Event: {
          type: 'object',
          required: ['task'],
          properties: {
            task: { type: 'string', enum: tasks.map((task) => task.name) },
            args: { type: 'object' },
            runId: { type: 'string' },
            caller: { type: 'string' },
          },
        },
      },
      examples,
    },
  };
}

/**
 * Example args of a task: every arg that has a default, with it, and every
 * required arg that the schema gives an example for. A required arg with
 * neither is left out: a click in the console then gets the task's own
 * "missing arg" answer (exit 64) instead of running with a made-up value.
 */
function exampleArgs(task: TaskInfo): Record<string, unknown> {
  const schema = task.args as { properties?: Record<string, ArgSchema>; required?: readonly string[] };
  const required = new Set(schema.required ?? []);
  const args: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if ('default' in property) args[key] = property.default;
    else if (required.has(key) && property.examples !== undefined && property.examples.length > 0) args[key] = property.examples[0];
  }
  return args;
}

/** A console-safe, unique event name for a task. */
function eventName(task: string, taken: readonly string[]): string {
  const base = task.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, EVENT_NAME_MAX);
  let name = base;
  for (let suffix = 2; taken.includes(name); suffix += 1) {
    name = `${base.slice(0, EVENT_NAME_MAX - String(suffix).length - 1)}-${suffix}`;
  }
  return name;
}

export { TEST_EVENT_REGISTRY, testEventSchema, testEventSchemaName };
