/**
 * What `cnf-admin init` writes into a project: small files that import
 * cnf-admin only by its published names (`cnf-admin/runtime`,
 * `cnf-admin/construct`) and use no Node globals, so that they type-check
 * with nothing but the packages the README installs.
 */

/** The CDK the app's CDK app imports (named here, so that the CLI itself is not read as importing it). */
const CDK_LIBRARY = 'aws-cdk-lib';

/** The task `init` writes, and which its next steps invoke. */
const EXAMPLE_TASK = 'hello';

/** The CDK app command `init` puts in cdk.json: cnf-admin runs the TypeScript app with the tsx it brings. */
const CDK_APP_COMMAND = (entry: string) => `npx cnf-admin cdk-app ${entry}`;

/** The stages a new project starts with. */
const INITIAL_STAGES = { local: { platform: 'local' }, dev: { platform: 'aws' }, prod: { platform: 'aws' } } as const;

/** `context.cnf` of a new project. */
function cnfSettings(app: string): Record<string, unknown> {
  return { app, stages: INITIAL_STAGES };
}

/** The admin entry: the admin handler with its task loaders. */
function adminEntry(): string {
  return `// The admin entry: the admin function's handler and every task it can run.
// Add a task: write it under tasks/ with defineTask, then name it here.
import { createAdminHandler } from 'cnf-admin/runtime';

export const handler = createAdminHandler({
  tasks: {
    ${EXAMPLE_TASK}: () => import('./tasks/${EXAMPLE_TASK}.js'),
  },
});
`;
}

/** The example task. */
function exampleTask(): string {
  return `import { defineTask } from 'cnf-admin/runtime';
import { z } from 'zod';

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
import { AdminApp, stagesToSynth } from 'cnf-admin/construct';

const app = new App();
for (const stage of stagesToSynth(app)) {
  const stack = new Stack(app, \`${app}-\${stage}\`);
  // The bundle is built at synth from this project; add props here (releaseTask, schedules, secureParameters, ...).
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

/** The lines `init` makes sure `.gitignore` has: local state and synth output. */
const IGNORED = ['.cnf/', 'cdk.out/'] as const;

export { adminEntry, CDK_APP_COMMAND, cdkApp, cdkAppLines, cnfSettings, EXAMPLE_TASK, exampleTask, IGNORED, tsconfig, webEntry };
