/**
 * Every command of the CLI on an AWS stage, each with a scenario that makes
 * it take a path to AWS: together they send every SDK command the CLI can
 * send. The policy test and the access-denied test run them all.
 */
import { newRunId } from '../../lib/core/run.js';
import { OLD_RELEASE, RELEASE, runLine, type AwsScenario } from './aws-scenario.js';
import { CONTAINER_TASK, containerScenario, exitedStates, startedResult, TASK_ARN } from './aws-container-scenario.js';

/** One CLI command line and the stage it runs against. */
interface CommandRun {
  readonly scenario: Partial<AwsScenario>;
  readonly args: readonly string[];
  readonly input?: string;
}

/** The run id of the scenarios' ledger record. */
const RUN_ID = '20261124-143927-k3f9qz';

/** A run record as the admin function writes it: the ledger's readers check every record against its schema. */
const LEDGER_RECORD = {
  runId: RUN_ID,
  task: 'echo',
  args: {},
  release: RELEASE,
  source: 'cli',
  caller: 'alice',
  startedAt: '2026-11-24T14:39:27.000Z',
  log: 'group:stream',
};

/** A container run whose task was killed, as the admin function records its end. */
const SETTLED_CONTAINER_RUN = {
  ...LEDGER_RECORD,
  task: CONTAINER_TASK,
  ecsTask: TASK_ARN,
  endedAt: '2026-11-24T14:45:00.000Z',
  exitCode: 70,
  error: { name: 'OutOfMemoryError', message: 'The task ran out of memory (2048 MiB) and was killed' },
};

/** The customer managed key of the stage's SecureStrings, where its record names one. */
const PARAMETER_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** A run going on now: `logs --follow` follows a Lambda run until its function's timeout after its start. */
const STARTED_NOW = Date.now();
const FOLLOWED_RUN_ID = newRunId(new Date(STARTED_NOW));

const RUN_ENDED = {
  message: runLine('Run ended', { exitCode: 0, durationMs: 1 }).replace('$RUN_ID', FOLLOWED_RUN_ID),
  timestamp: STARTED_NOW + 1000,
};

const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/operator/alice';

/** A config version's item in the ledger table, as `config set` records it. */
function configItem(version: number, keys: Record<string, { version: number; secure: boolean }>, changed: string[]) {
  const createdAt = `2026-11-0${version}T10:00:00.000Z`;
  return {
    pk: `config#v${version}`,
    entity: 'config',
    startedAt: createdAt,
    version,
    keys,
    hash: `cv-00000000000${version}`,
    createdBy: OPERATOR,
    createdAt,
    cause: version === 1 ? 'set' : 'unset',
    changed,
  };
}

/** A move of the live pair's item in the ledger table. */
function pairItem(release: string, config: number, at: string) {
  return { pk: `pair#${at}#${config}`, entity: 'pair', startedAt: at, release, config, at, cause: 'config', by: OPERATOR };
}

/**
 * A stage with config versions: the older release was live with v1 (A=one),
 * the live one has v2 (A unset), its live-pair record naming it.
 */
const CONFIG_HISTORY: Partial<AwsScenario> = {
  // Deployed by a stack the record names: rollback reads its status.
  record: { stack: 'fixture-prod' },
  parameters: [
    { Name: '/fixture/prod/A', Value: 'one', Type: 'String' },
    { Name: '/fixture/prod/_cnf/live', Value: JSON.stringify({ release: RELEASE, config: 2, keys: {} }), Type: 'String' },
  ],
  ledger: [
    configItem(1, { A: { version: 1, secure: false } }, ['A']),
    configItem(2, {}, ['A']),
    pairItem(OLD_RELEASE, 1, '2026-11-01T10:00:00.000Z'),
    pairItem(RELEASE, 2, '2026-11-02T10:00:00.000Z'),
  ],
};

/** Every command of the CLI, on scenarios that take every path to AWS. */
const COMMAND_RUNS: readonly CommandRun[] = [
  {
    scenario: {
      stream: {
        frames: [
          { type: 'log', line: runLine('Run started') },
          { type: 'result', result: { runId: '$RUN_ID', task: 'echo', release: RELEASE, exitCode: 0, durationMs: 1 } },
        ],
      },
      logEvents: [{ message: runLine('Run started') }, { message: 'REPORT RequestId: 11111111-2222-3333-4444-555555555555' }],
    },
    args: ['invoke', 'echo', '--stage', 'prod'],
  },
  {
    scenario: {
      errors: { InvokeWithResponseStream: [{ name: 'UnknownOperationException', fault: 'client', status: 404 }] },
      invoke: { payload: JSON.stringify({ runId: 'x', task: 'echo', release: RELEASE, exitCode: 0, durationMs: 1 }) },
      logEvents: [{ message: 'REPORT RequestId: 11111111-2222-3333-4444-555555555555' }],
    },
    args: ['invoke', 'echo', '--stage', 'prod'],
  },
  { scenario: {}, args: ['invoke', 'echo', '--stage', 'prod', '--detach'] },
  { scenario: {}, args: ['invoke', 'echo', '--stage', 'prod', '--dry-run', '--release', OLD_RELEASE] },
  {
    scenario: {
      aliases: {
        web: { live: { version: '7', release: 'r-cccccccccccc', weights: { '8': 0.1 } } },
        admin: { live: { version: '9', release: 'r-cccccccccccc' } },
      },
      versions: {
        web: [
          { version: '7', release: RELEASE },
          { version: '8', release: 'r-cccccccccccc' },
        ],
        admin: [
          { version: '5', release: RELEASE },
          { version: '9', release: 'r-cccccccccccc' },
        ],
      },
    },
    args: ['invoke', 'echo', '--stage', 'prod', '--dry-run'],
  },
  {
    scenario: {
      invoke: {
        payload: JSON.stringify({ runId: 'x', task: 'cnf:describe', release: RELEASE, exitCode: 0, durationMs: 1, output: { tasks: [] } }),
      },
    },
    args: ['tasks', '--stage', 'prod'],
  },
  { scenario: {}, args: ['status', '--stage', 'prod'] },
  { scenario: {}, args: ['releases', '--stage', 'prod'] },
  { scenario: { parameters: [{ Name: '/fixture/prod/A', Value: '1', Type: 'String' }] }, args: ['config', 'list', '--stage', 'prod'] },
  { scenario: { parameters: [{ Name: '/fixture/prod/A', Value: '1', Type: 'String' }] }, args: ['config', 'get', 'A', '--stage', 'prod'] },
  { scenario: {}, args: ['config', 'set', 'B', 'two-secret', '--secure', '--stage', 'prod'] },
  { scenario: { record: { parameterKey: PARAMETER_KEY } }, args: ['config', 'set', 'C', 'three', '--secure', '--stage', 'prod'] },
  {
    scenario: { parameters: [{ Name: '/fixture/prod/A', Value: '1', Type: 'String' }] },
    args: ['config', 'unset', 'A', '--stage', 'prod'],
  },
  // A stage without a run ledger keeps no config versions: unset deletes the parameter.
  {
    scenario: { parameters: [{ Name: '/fixture/prod/A', Value: '1', Type: 'String' }], record: { ledgerTable: undefined } as never },
    args: ['config', 'unset', 'A', '--stage', 'prod'],
  },
  // Config versions, pinned runs and rollback.
  { scenario: CONFIG_HISTORY, args: ['config', 'history', '--stage', 'prod'] },
  { scenario: CONFIG_HISTORY, args: ['config', 'diff', 'v1', 'v2', '--stage', 'prod'] },
  { scenario: CONFIG_HISTORY, args: ['config', 'rollback', 'v1', '--stage', 'prod'] },
  { scenario: CONFIG_HISTORY, args: ['config', 'set', 'A', 'two', '--stage', 'prod'] },
  { scenario: CONFIG_HISTORY, args: ['invoke', 'echo', '--stage', 'prod', '--dry-run', '--release', OLD_RELEASE] },
  { scenario: CONFIG_HISTORY, args: ['rollback', '--stage', 'prod', '--dry-run'] },
  { scenario: CONFIG_HISTORY, args: ['rollback', '--stage', 'prod', '--yes', '--reason', 'bad deploy'] },
  { scenario: { ledger: [LEDGER_RECORD] }, args: ['runs', '--stage', 'prod'] },
  {
    scenario: { ledger: [LEDGER_RECORD] },
    args: ['runs', '--stage', 'prod', '--task', 'echo'],
  },
  {
    scenario: {
      ledger: [LEDGER_RECORD],
      logEvents: [{ message: runLine('Run started').replace('$RUN_ID', RUN_ID), timestamp: Date.UTC(2026, 10, 24, 14, 39, 27) }],
    },
    args: ['runs', 'show', RUN_ID, '--stage', 'prod'],
  },
  {
    // The run ends while it is followed: Live Tail shows the end, and so does a later poll.
    scenario: {
      logEvents: [
        { message: runLine('Run started').replace('$RUN_ID', FOLLOWED_RUN_ID), timestamp: STARTED_NOW },
        { ...RUN_ENDED, fromCall: 2 },
      ],
      liveTail: [[RUN_ENDED]],
    },
    args: ['logs', FOLLOWED_RUN_ID, '--stage', 'prod', '--follow'],
  },
  { scenario: {}, args: ['policy', '--stage', 'prod'] },
  // Container tasks: started and followed to their end, detached, planned, stopped.
  { scenario: containerScenario(), args: ['invoke', CONTAINER_TASK, '--stage', 'prod'] },
  { scenario: containerScenario(), args: ['invoke', CONTAINER_TASK, '--stage', 'prod', '--detach'] },
  { scenario: containerScenario(), args: ['invoke', CONTAINER_TASK, '--stage', 'prod', '--dry-run'] },
  {
    scenario: containerScenario({
      invoke: { payload: JSON.stringify({ ...startedResult(), output: { runId: RUN_ID, stoppedTasks: [TASK_ARN] } }) },
    }),
    args: ['stop', RUN_ID, '--stage', 'prod'],
  },
  // A container run still going by the ledger, whose task stopped without recording its end: runs and logs ask ECS, and the admin function records it.
  {
    scenario: containerScenario({
      ledger: [{ ...LEDGER_RECORD, task: CONTAINER_TASK, ecsTask: TASK_ARN }],
      ecs: { states: exitedStates(137).slice(-1) },
      invoke: { payload: JSON.stringify({ ...startedResult(), output: SETTLED_CONTAINER_RUN }) },
    }),
    args: ['runs', '--stage', 'prod'],
  },
  {
    scenario: containerScenario({
      ledger: [{ ...LEDGER_RECORD, task: CONTAINER_TASK, ecsTask: TASK_ARN }],
      ecs: { states: exitedStates(137).slice(-1) },
      invoke: { payload: JSON.stringify({ ...startedResult(), output: SETTLED_CONTAINER_RUN }) },
    }),
    args: ['logs', RUN_ID, '--stage', 'prod'],
  },
];

export { COMMAND_RUNS, LEDGER_RECORD, PARAMETER_KEY, RUN_ID };
export type { CommandRun };
