/**
 * What `cnf-admin init` writes into a project: small files that import
 * cnf-admin only by its published names (`cnf-admin/runtime`,
 * `cnf-admin/migrations`, `cnf-admin/construct`), so that they type-check
 * with nothing but the packages the README installs (cnf-admin brings
 * Node's types, so a task may use `console` and `setTimeout`).
 */

import { DEFAULT_MIGRATE_TASK } from '../../core/migrate-task-name.js';
import { taskLoaderEntry } from '../../core/task-loader-entry.js';

/** The CDK the app's CDK app imports (named here, so that the CLI itself is not read as importing it). */
const CDK_LIBRARY = 'aws-cdk-lib';

/** The task `init` writes, and which its next steps invoke. */
const EXAMPLE_TASK = 'hello';

/** The CDK app command `init` puts in cdk.json: cnf-admin runs the TypeScript app with the tsx it brings. */
const CDK_APP_COMMAND = (entry: string) => `npx cnf-admin cdk-app ${entry}`;

/** The stages a new project starts with. */
const INITIAL_STAGES = { local: { platform: 'local' }, dev: { platform: 'aws' }, prod: { platform: 'aws' } } as const;

/** The database `init --database` sets up: the local stage's embedded PostgreSQL. */
const DATABASES = ['postgres'] as const;

/** A database `init` can set up. */
type InitDatabase = (typeof DATABASES)[number];

/** The migrate task `init --database postgres` writes. */
/* The migrate task init writes: defineMigrateTask()'s own name. */
const MIGRATE_TASK = DEFAULT_MIGRATE_TASK;

/** The folder of SQL migrations, under the app's code folder; shipped in every release as an asset. */
const MIGRATIONS_DIR = 'migrations';

/** `context.cnf` of a new project; with a database, the local stage runs it and releases ship the migrations. */
function cnfSettings(app: string, database: InitDatabase | undefined): Record<string, unknown> {
  if (database === undefined) return { app, stages: INITIAL_STAGES };
  return { app, assetDirs: [MIGRATIONS_DIR], stages: { ...INITIAL_STAGES, local: { ...INITIAL_STAGES.local, database } } };
}

/** The line of the admin entry's `tasks` that loads `task` from `tasks/<task>.ts`. */
function taskLoaderLine(task: string): string {
  return `${taskLoaderEntry(task)},`;
}

/** The admin entry: the admin handler with its task loaders. */
function adminEntry(tasks: readonly string[]): string {
  return `// The admin entry: the admin function's handler and every task it can run.
// Add a task: write it under tasks/ with defineTask, then name it here.
import { createAdminHandler } from 'cnf-admin/runtime';

export const handler = createAdminHandler({
  tasks: {
${tasks.map((task) => `    ${taskLoaderLine(task)}`).join('\n')}
  },
});
`;
}

/** The migrate task: cnf-admin's PostgreSQL migrations, refusing a schema a newer release applied. */
function migrateTask(): string {
  return `import { defineMigrateTask } from 'cnf-admin/migrations';

// Applies the pending .sql files of lambda/${MIGRATIONS_DIR}/ in name order, each in one transaction:
// npx cnf-admin invoke ${MIGRATE_TASK} --stage local
export default defineMigrateTask();
`;
}

/** The first migration, for the user to replace with their schema. */
function firstMigration(): string {
  return `-- The first migration: replace it with your schema. Migrations run in file-name order
-- (0001_, 0002_, ...), each in one transaction, and a release ships the ones it was built with.
-- Keep them expand/contract (add first, remove later) so an older release still runs after a rollback.
CREATE TABLE items (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;
}

/** The example task. */
function exampleTask(): string {
  return `import { defineTask } from 'cnf-admin/runtime';
import * as z from 'zod';

// An example task: npx cnf-admin invoke ${EXAMPLE_TASK} --stage local -- --name you
export default defineTask({
  name: '${EXAMPLE_TASK}',
  description: 'Say hello (an example task that cnf-admin init wrote)',
  args: z.strictObject({ name: z.string().min(1).default('world') }),
  async run({ args, log, release }) {
    log.info('Saying hello', { name: args.name });
    return { greeting: \`Hello, \${args.name}!\`, release };
  },
});
`;
}

/** A web entry for a project that has none. */
function webEntry(): string {
  return `// The web entry: the web function's handler (a Lambda function URL or API Gateway event).
// Replace it with your app's; cnf-admin deploys it next to the admin entry, from the same bundle.
export async function handler(): Promise<{ statusCode: number; body: string }> {
  return { statusCode: 200, body: 'Hello from cnf-admin\\n' };
}
`;
}

/** The CDK app for a project that has none. */
function cdkApp(app: string): string {
  return `// The CDK app (cdk.json's "app"): one stack per stage, e.g. npx cdk synth -c stage=prod.
// Without -c stage it holds every AWS stage of cdk.json, so that npx cdk bootstrap needs none.
import { App, Stack } from '${CDK_LIBRARY}';
import { addCdkNagChecks, AdminApp, stagesToSynth } from 'cnf-admin/construct';

const app = new App();
// cdk-nag's AwsSolutions pack checks every stack at synth: a finding fails it (docs/cdk.md in cnf-admin says more).
addCdkNagChecks(app);
for (const stage of stagesToSynth(app)) {
  const stack = new Stack(app, \`${app}-\${stage}\`);
  // The bundle is built at synth from this project; add props here (releasePhase, schedules, secureParameters, ...).
  new AdminApp(stack, 'Admin', { stage });
}
`;
}

/** The lines to add to a project's own CDK app. */
function cdkAppLines(): string {
  return `import { AdminApp } from 'cnf-admin/construct';

// In one of your stacks; the stage comes from -c stage=<name> or the stage prop:
const admin = new AdminApp(stack, 'Admin', {});
admin.grantInvokeWeb(yourApiRole); // and grantOperate(ciRole), grantReadConfig(...)`;
}

/** A tsconfig for a project that has none: ESM, strict, type-check only (esbuild builds the bundle). */
function tsconfig(): string {
  return `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2023',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        types: ['node'],
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        isolatedModules: true,
        verbatimModuleSyntax: true,
      },
      exclude: ['cdk.out', 'node_modules', '.cnf'],
    },
    null,
    2,
  )}\n`;
}

/** The lines `init` makes sure `.gitignore` has: installed packages, local state and synth output. */
const IGNORED = ['node_modules/', '.cnf/', 'cdk.out/'] as const;

export {
  adminEntry,
  CDK_APP_COMMAND,
  cdkApp,
  cdkAppLines,
  cnfSettings,
  DATABASES,
  EXAMPLE_TASK,
  exampleTask,
  firstMigration,
  IGNORED,
  MIGRATE_TASK,
  migrateTask,
  MIGRATIONS_DIR,
  taskLoaderLine,
  tsconfig,
  webEntry,
};
export type { InitDatabase };
