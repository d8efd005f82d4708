/**
 * The AWS stage the `ui` end-to-end tests show: its task catalog (a Lambda
 * task and a container task) and its ledger's run records, the same whether
 * the stage's clients are mocked in the process or served by the fake AWS.
 */
import { CONTAINER_TASK } from './aws-container-scenario.js';
import { RELEASE } from './aws-scenario.js';

/** The ECS task a container run of the stage runs as. */
const UI_TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/fixture-prod-admin/0123456789abcdef';

/** The caller of the stage's runs unless a run says otherwise. */
const UI_CALLER = 'arn:aws:sts::123456789012:assumed-role/Admin/alice';

/** The stage's task catalog, as `cnf:describe` answers it. */
const UI_CATALOG = {
  tasks: [
    {
      name: 'echo',
      description: 'Returns its args',
      args: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] },
      lock: false,
    },
    {
      name: CONTAINER_TASK,
      description: 'Backfills on Fargate',
      args: { type: 'object', properties: {} },
      lock: true,
      runtime: 'container',
    },
  ],
  scripts: [],
};

/** A run record of `echo` on the stage's release, by alice, with `fields` over it. */
const uiRunRecord = (runId: string, fields: Record<string, unknown>): Record<string, unknown> => ({
  runId,
  task: 'echo',
  args: { count: 2 },
  release: RELEASE,
  source: 'cli',
  caller: UI_CALLER,
  log: '/aws/lambda/fixture-prod-admin:2026/11/24/[5]abc',
  ...fields,
});

/** The admin function's answer to `cnf:stop` of the container run `runId`: its ECS task was stopped. */
const uiStopAnswer = (runId: string): { readonly payload: string } => ({
  payload: JSON.stringify({
    runId,
    task: 'cnf:stop',
    release: RELEASE,
    exitCode: 0,
    durationMs: 5,
    output: { runId, stoppedTasks: [UI_TASK_ARN] },
  }),
});

export { UI_CATALOG, uiRunRecord, uiStopAnswer };
