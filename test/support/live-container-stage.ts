/**
 * A stage with container tasks whose every part runs for real behind a fake
 * AWS endpoint: `cnf-admin` (the built binary) talks to the fake AWS, whose
 * Lambda runs the release's real admin function (a process per invocation,
 * the bundle's `admin.mjs`), whose ECS runs the real container runner (a
 * process per task, as Fargate would, without Docker), and whose CloudWatch
 * Logs, DynamoDB (the run ledger) and SSM serve what those processes write.
 * Only ECS's own decisions are the test's: whether RunTask starts a task,
 * and how a task stops when its container does not just exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { adminEnvironmentOf, cnfEnvironment } from '../../lib/core/cnf-environment.js';
import type { ContainerSettings } from '../../lib/core/container-run.js';
import type { RunRecord } from '../../lib/core/run.js';
import { containerTasksOf, containerTimeLimitSeconds } from '../../lib/core/task-runtime.js';
import { fakeAwsEnvironment } from './aws-cli.js';
import { CONTAINER_RECORD } from './aws-container-scenario.js';
import { healthyScenario } from './aws-scenario.js';
import { buildRunnerImage, type RunnerImage } from './container-runner-image.js';
import { startFakeAws, streamEvent, type FakeAws, type ReceivedRequest, type WireFailure } from './fake-aws-server.js';
import { createTestProject, type TestProject } from './test-project.js';

/** The container task the stage's release declares: `mode` says what it does, `code` its exit code. */
const LIVE_CONTAINER_TASK = 'in-container';

/** The script of the stage's release that runs in a container. */
const LIVE_CONTAINER_SCRIPT = 'scripts/long-fix.ts';

const TASK_SOURCE = `import * as z from 'zod';
import { defineTask } from 'cnf-admin/runtime';

export default defineTask({
  name: '${LIVE_CONTAINER_TASK}',
  description: 'Runs in a container: exits with code, or waits for a stop',
  args: z.strictObject({ code: z.number().int().min(0).default(0), mode: z.enum(['exit', 'wait']).default('exit') }),
  options: { runtime: 'container', timeoutSeconds: 3600, lock: true },
  run: async (context) => {
    context.log.info('container line one');
    // Plain output, as awslogs sends it: a line of the task's stream, with no run id.
    console.log('plain output of the task');
    console.error('plain error of the task');
    if (context.config.PLAIN_TOKEN !== undefined) console.log(\`plain token: \${context.config.PLAIN_TOKEN}\`);
    if (context.args.mode === 'wait') {
      context.log.info('waiting for a stop');
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
      context.signal.throwIfAborted();
    }
    context.log.info('container line two');
    context.exitCode = context.args.code;
  },
});
`;

/** A one-off script of the release that declares the container runtime, and exits 5. */
const SCRIPT_SOURCE = `import { defineScript } from 'cnf-admin/runtime';

export default defineScript({
  description: 'A long one-off fix, in a container',
  options: { runtime: 'container', timeoutSeconds: 7200 },
  run: async (context) => {
    context.log.info('script in a container');
    context.exitCode = 5;
  },
});
`;

/** How the fake Lambda runs one invocation: the bundle's admin handler, its response stream on fd 3. */
const ADMIN_FUNCTION_SOURCE = `import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const { handler } = await import(pathToFileURL(join(process.env.LAMBDA_TASK_ROOT, 'admin.mjs')).href);
const out = createWriteStream('', { fd: 3 });
const stream = { write: (chunk) => out.write(chunk), end: (done) => out.end(done), on: (name, listener) => out.on(name, listener) };
const deadline = Date.now() + 900_000;
await handler(JSON.parse(process.env.FAKE_LAMBDA_EVENT), stream, {
  awsRequestId: process.env.FAKE_REQUEST_ID,
  getRemainingTimeInMillis: () => deadline - Date.now(),
});
await new Promise((resolve) => out.end(resolve));
process.exit(0);
`;

/** How a task started by the fake ECS goes. */
type TaskCourse =
  /** Its container runs and exits; the task stops with EssentialContainerExited. */
  | 'run'
  /** Fargate never starts it: PROVISIONING for ever. */
  | 'stuck'
  /** Its container is killed once it has logged `after`: out of memory, or SIGKILL. */
  | { readonly kill: 'oom' | 'sigkill'; readonly after: string };

/** How RunTask answers: a task, ECS's `failures` (no capacity, say), or an error (after it started a task, when `started`). */
type RunTaskAnswer = 'start' | { readonly failure: string } | { readonly error: WireFailure; readonly started?: boolean };

/** What the test decides for ECS, call by call. */
interface EcsBehaviour {
  /** RunTask's answers, in order; then `start`. */
  runTask: RunTaskAnswer[];
  /** How the next tasks go. @default 'run' */
  course: TaskCourse;
}

/** One task the fake ECS knows. */
interface FakeTask {
  readonly taskArn: string;
  readonly startedBy: string;
  readonly clientToken: string;
  readonly overrides: unknown;
  lastStatus: string;
  stopCode?: string;
  stoppedReason?: string;
  containerExit?: number;
  containerReason?: string;
  child?: ChildProcess;
}

/** A log event the fake CloudWatch holds. */
interface LiveLogEvent {
  readonly message: string;
  readonly timestamp: number;
  readonly logStreamName: string;
}

/** A running live stage. */
interface LiveContainerStage {
  readonly aws: FakeAws;
  readonly image: RunnerImage;
  readonly project: TestProject;
  readonly ecs: EcsBehaviour;
  /** The tasks ECS started, in order. */
  readonly tasks: FakeTask[];
  /** The environment that points `cnf-admin` at the stage. */
  readonly env: NodeJS.ProcessEnv;
  /** A run's record in the ledger table. */
  record(runId: string): RunRecord | undefined;
  close(): Promise<void>;
}

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const CLUSTER = CONTAINER_RECORD.cluster;
const ADMIN_LOG_GROUP = '/aws/lambda/fixture-prod-admin';

/** Quoted terms of a CloudWatch filter pattern: all must match, or any when they are `?"..."`. */
function matches(pattern: string, message: string): boolean {
  const terms = [...pattern.matchAll(/(\?)?("(?:[^"\\]|\\.)*")/g)].map(([, any, quoted]) => ({
    any: any !== undefined,
    text: JSON.parse(quoted ?? '""') as string,
  }));
  if (terms.length === 0) return true;
  return terms.some((term) => term.any)
    ? terms.some((term) => message.includes(term.text))
    : terms.every((term) => message.includes(term.text));
}

/** Lines of a child's output, as the log driver sends them to CloudWatch. */
function collectLines(child: ChildProcess, stream: string, logs: LiveLogEvent[], onLine?: (line: string) => void): void {
  let rest = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') continue;
      logs.push({ message: line, timestamp: Date.now(), logStreamName: stream });
      onLine?.(line);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => logs.push({ message: chunk.toString('utf8'), timestamp: Date.now(), logStreamName: stream }));
}

/**
 * Builds the tasks fixture with a container task, and serves it as stage
 * `prod` of app `fixture` behind a fake AWS whose admin function and ECS
 * run the release's real code.
 */
async function startLiveContainerStage(): Promise<LiveContainerStage> {
  const project = createTestProject('tasks', { deployed: false });
  writeFileSync(join(project.dir, 'lambda', 'tasks', `${LIVE_CONTAINER_TASK}.ts`), TASK_SOURCE);
  const admin = join(project.dir, 'lambda', 'admin.ts');
  writeFileSync(
    admin,
    readFileSync(admin, 'utf8').replace(
      '  tasks: {\n',
      `  tasks: {\n    '${LIVE_CONTAINER_TASK}': () => import('./tasks/${LIVE_CONTAINER_TASK}.js'),\n`,
    ),
  );
  mkdirSync(join(project.dir, 'scripts'), { recursive: true });
  writeFileSync(join(project.dir, LIVE_CONTAINER_SCRIPT), SCRIPT_SOURCE);
  const image = await buildRunnerImage(project);
  writeFileSync(join(image.image, 'admin-function.mjs'), ADMIN_FUNCTION_SOURCE);
  mkdirSync(join(image.image, 'tmp'), { recursive: true });
  const { release } = image;
  const taskDefinition = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/fixture-prod-admin-${release}:1`;
  const settings: ContainerSettings = {
    cluster: CLUSTER,
    taskDefinition,
    containerName: 'admin',
    subnets: CONTAINER_RECORD.subnets,
    securityGroups: CONTAINER_RECORD.securityGroups,
    assignPublicIp: false,
  };
  const ecs: EcsBehaviour = { runTask: [], course: 'run' };
  const tasks: FakeTask[] = [];
  const logs: LiveLogEvent[] = [];
  const children = new Set<ChildProcess>();
  let url = '';
  const identity = { app: 'fixture', stage: 'prod', release };
  const stores = { parameterPath: '/fixture/prod/', ledgerTable: 'fixture-prod-runs' };
  const awsSettings = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    AWS_ENDPOINT_URL: url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    LAMBDA_TASK_ROOT: join(image.image, 'bundle'),
    TMPDIR: join(image.image, 'tmp'),
    // Lambda and the image run Node 22: the SDK's notice to this machine's Node 20 is no line of theirs.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });

  const json = (response: ServerResponse, status: number, body: unknown): true => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
    return true;
  };

  /** Runs one invocation of the admin function; its response stream's chunks as they come. */
  const invokeAdmin = (body: string, onChunk: (chunk: Buffer) => void): Promise<void> => {
    const requestId = randomBytes(8).toString('hex');
    const child = spawn(process.execPath, [join(image.image, 'admin-function.mjs')], {
      env: {
        ...awsSettings(),
        ...adminEnvironmentOf(identity, stores),
        ...cnfEnvironment({ containerSettings: JSON.stringify(settings) }),
        AWS_LAMBDA_LOG_GROUP_NAME: ADMIN_LOG_GROUP,
        AWS_LAMBDA_LOG_STREAM_NAME: `2026/11/30/[5]${requestId}`,
        FAKE_LAMBDA_EVENT: body,
        FAKE_REQUEST_ID: requestId,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    collectLines(child, `2026/11/30/[5]${requestId}`, logs);
    (child.stdio[3] as NodeJS.ReadableStream).on('data', onChunk);
    return new Promise((resolve) =>
      child.on('close', () => {
        children.delete(child);
        logs.push({
          message: `REPORT RequestId: ${requestId}\tDuration: 1 ms`,
          timestamp: Date.now(),
          logStreamName: `2026/11/30/[5]${requestId}`,
        });
        resolve();
      }),
    );
  };

  /** Starts a task's container: the runner, with the task definition's environment and RunTask's overrides. */
  const runContainer = (task: FakeTask): void => {
    const taskId = task.taskArn.split('/').pop() ?? '';
    const overrides = (task.overrides as { containerOverrides?: { environment?: { name: string; value: string }[] }[] }).containerOverrides;
    const overridden = Object.fromEntries((overrides?.[0]?.environment ?? []).map((variable) => [variable.name, variable.value]));
    const child = spawn(process.execPath, [join(image.image, 'container-runner.mjs')], {
      env: {
        ...awsSettings(),
        ...adminEnvironmentOf(identity, stores),
        ...cnfEnvironment({ consoleEnabled: false, logGroup: ADMIN_LOG_GROUP, logStreamPrefix: 'task/admin' }),
        ECS_CONTAINER_METADATA_URI_V4: `${url}/ecs-metadata/${taskId}`,
        ...overridden,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    task.child = child;
    task.lastStatus = 'RUNNING';
    const course = ecs.course;
    collectLines(child, `task/admin/${taskId}`, logs, (line) => {
      if (typeof course === 'object' && line.includes(course.after) && task.containerReason === undefined) {
        task.containerReason = course.kill === 'oom' ? 'OutOfMemoryError: Container killed due to memory usage' : undefined;
        child.kill('SIGKILL');
      }
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      task.containerExit = code ?? 128 + (signal === 'SIGKILL' ? 9 : 15);
      task.stopCode ??= 'EssentialContainerExited';
      task.stoppedReason ??= 'Essential container in task exited';
      task.lastStatus = 'STOPPED';
    });
  };

  const describe = (task: FakeTask): Record<string, unknown> => ({
    taskArn: task.taskArn,
    clusterArn: CLUSTER,
    startedBy: task.startedBy,
    lastStatus: task.lastStatus,
    memory: '2048',
    ...(task.stopCode === undefined ? {} : { stopCode: task.stopCode }),
    ...(task.stoppedReason === undefined ? {} : { stoppedReason: task.stoppedReason, stoppedAt: Date.now() / 1000 }),
    containers: [
      {
        name: 'admin',
        lastStatus: task.lastStatus,
        ...(task.containerExit === undefined ? {} : { exitCode: task.containerExit }),
        ...(task.containerReason === undefined ? {} : { reason: task.containerReason }),
      },
    ],
  });

  /** A task RunTask started: PROVISIONING, then its container runs (unless the course keeps it starting). */
  const startTask = (input: Record<string, unknown>, token: string): FakeTask => {
    const task: FakeTask = {
      taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/fixture-prod-admin/${randomBytes(16).toString('hex')}`,
      startedBy: String(input.startedBy),
      clientToken: token,
      overrides: input.overrides,
      lastStatus: 'PROVISIONING',
    };
    tasks.push(task);
    if (ecs.course !== 'stuck') setTimeout(() => runContainer(task), 200);
    return task;
  };

  const answerEcs = (operation: string, input: Record<string, unknown>, response: ServerResponse): true | WireFailure => {
    if (operation === 'RunTask') {
      const token = String(input.clientToken);
      const answer = ecs.runTask.shift() ?? 'start';
      // As ECS: a client token it has seen answers the task it started, for a day.
      const known = tasks.find((task) => task.clientToken === token);
      if (typeof answer === 'object' && 'error' in answer) {
        if (answer.started === true && known === undefined) startTask(input, token);
        return answer.error;
      }
      if (known !== undefined) return json(response, 200, { tasks: [describe(known)], failures: [] });
      if (typeof answer === 'object') return json(response, 200, { tasks: [], failures: [{ reason: answer.failure }] });
      return json(response, 200, { tasks: [describe(startTask(input, token))], failures: [] });
    }
    if (operation === 'DescribeTasks') {
      const wanted = (input.tasks as string[] | undefined) ?? [];
      const found = tasks.filter((task) => wanted.includes(task.taskArn));
      const missing = wanted.filter((arn) => !found.some((task) => task.taskArn === arn)).map((arn) => ({ arn, reason: 'MISSING' }));
      return json(response, 200, { tasks: found.map(describe), failures: missing });
    }
    if (operation === 'StopTask') {
      const task = tasks.find((candidate) => candidate.taskArn === input.task);
      if (task === undefined) return { status: 400, name: 'InvalidParameterException', message: 'The referenced task was not found.' };
      task.stopCode = 'UserInitiated';
      task.stoppedReason = String(input.reason ?? 'Task stopped by user');
      if (task.child === undefined) task.lastStatus = 'STOPPED';
      else task.child.kill('SIGTERM');
      return json(response, 200, { task: describe(task) });
    }
    return { status: 400, name: 'InvalidParameterException', message: `The live fake ECS does not serve ${operation}` };
  };

  const serve = (received: ReceivedRequest, response: ServerResponse): boolean | WireFailure => {
    const { service, operation, body, path } = received;
    const metadata = /^\/ecs-metadata\/([^/]+)\/task$/.exec(path);
    if (metadata !== null) {
      const task = tasks.find((candidate) => candidate.taskArn.endsWith(`/${metadata[1]}`));
      return json(response, 200, { TaskARN: task?.taskArn });
    }
    if (service === 'ecs') return answerEcs(operation, JSON.parse(body || '{}') as Record<string, unknown>, response);
    if (operation === 'FilterLogEvents') {
      const input = JSON.parse(body || '{}') as { filterPattern?: string; startTime?: number; logStreamNames?: string[] };
      // As CloudWatch: an event's id is its own, whatever the query that finds it.
      const events = logs
        .map((event, index) => ({ eventId: `e-${index}`, ...event }))
        .filter((event) => event.timestamp >= (input.startTime ?? 0))
        .filter((event) => input.logStreamNames === undefined || input.logStreamNames.includes(event.logStreamName))
        .filter((event) => matches(input.filterPattern ?? '', event.message));
      return json(response, 200, { events });
    }
    if (operation === 'InvokeWithResponseStream') {
      response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amz-executed-version': '5' });
      void invokeAdmin(body, (chunk) => response.write(streamEvent('PayloadChunk', 'application/octet-stream', chunk))).then(() =>
        response.end(streamEvent('InvokeComplete', 'application/json', Buffer.from('{}'))),
      );
      return true;
    }
    if (operation === 'Invoke') {
      const chunks: Buffer[] = [];
      void invokeAdmin(body, (chunk) => chunks.push(chunk)).then(() => {
        response.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '5' });
        response.end(Buffer.concat(chunks));
      });
      return true;
    }
    return false;
  };

  // What the construct writes into the stage record of this release.
  const containerTasks = containerTasksOf(image.catalog).map((task) => ({
    name: task.name,
    timeLimitSeconds: containerTimeLimitSeconds(task),
  }));
  const record = { ...CONTAINER_RECORD, taskFamily: `fixture-prod-admin-${release}`, tasks: containerTasks };
  const scenario = healthyScenario({
    aliases: { web: { live: { version: '7', release } }, admin: { live: { version: '5', release } } },
    versions: { web: [{ version: '7', release }], admin: [{ version: '5', release }] },
    record: { container: record },
  });
  const aws = await startFakeAws(scenario, { serve });
  url = aws.url;
  return {
    aws,
    image,
    project,
    ecs,
    tasks,
    env: fakeAwsEnvironment(aws.url, { CNF_LOG_WAIT_SECONDS: '1' }),
    record: (runId) => aws.dynamodb.unmarshalledItems().find((item) => item.pk === `run#${runId}`) as RunRecord | undefined,
    async close() {
      for (const child of children) child.kill('SIGKILL');
      await aws.close();
      await project.cleanup();
    },
  };
}

export { LIVE_CONTAINER_SCRIPT, LIVE_CONTAINER_TASK, startLiveContainerStage };
export type { EcsBehaviour, FakeTask, LiveContainerStage, TaskCourse };
