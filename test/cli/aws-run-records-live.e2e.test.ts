/**
 * A run's record and log on an AWS stage, through the real binary against the
 * live stage (test/support/live-container-stage.ts), one stage for the file:
 * - a run's log is found by its run id in CloudWatch, whose filter matches
 *   any line that holds it: run `m1`'s query finds run `m10`'s lines too; the
 *   CLI shows the run's own lines alone;
 * - `runs show` has the whole record (docs/output.md): at 80 columns a
 *   container run's log stream and ECS task ARN, wider than the column, wrap
 *   whole rather than end in `…`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { LIVE_CONTAINER_TASK, startLiveContainerStage, type LiveContainerStage } from '../support/live-container-stage.js';

let stage: LiveContainerStage;

beforeAll(async () => {
  stage = await startLiveContainerStage();
}, 120_000);

afterAll(async () => {
  await stage?.close();
});

function cnfAdmin(args: string[]) {
  return runCli(args, { cwd: stage.project.dir, env: stage.env });
}

describe('a run id that is part of another run id', () => {
  it("invoke, logs and runs show of run x1 leave out run x10's lines, for a Lambda run and a container run", async () => {
    // given: run x10 ran first
    const first = await cnfAdmin(['invoke', 'echo', '--stage', 'prod', '--run-id', 'x10', '--', '--count', '10', '--label', 'TEN']);
    expect(first.code, first.stderr).toBe(0);

    // when
    const invoked = await cnfAdmin(['invoke', 'echo', '--stage', 'prod', '--run-id', 'x1', '--', '--count', '1', '--label', 'ONE']);
    const logs = await cnfAdmin(['logs', 'x1', '--stage', 'prod']);
    const shown = await cnfAdmin(['runs', 'show', 'x1', '--stage', 'prod']);
    const container = await cnfAdmin(['invoke', LIVE_CONTAINER_TASK, '--stage', 'prod', '--run-id', 'x']);
    const containerLogs = await cnfAdmin(['logs', 'x', '--stage', 'prod']);

    // then
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(invoked.stdout).toContain('"label":"ONE"');
    expect(invoked.stdout).not.toContain('TEN');
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('"label":"ONE"');
    expect(logs.stdout).not.toContain('TEN');
    expect(shown.stdout).not.toContain('TEN');
    expect(container.code, container.stderr).toBe(0);
    expect(container.stdout).toContain('container line two');
    expect(container.stdout).not.toMatch(/TEN|ONE/);
    expect(containerLogs.stdout).toContain('container line two');
    expect(containerLogs.stdout).not.toMatch(/TEN|ONE/);
  });
});

describe('runs show --stage prod at 80 columns', () => {
  it("shows a container run's log stream and task ARN whole", async () => {
    // given
    const run = await runCli(['invoke', LIVE_CONTAINER_TASK, '--stage', 'prod', '--run-id', 'whole-1'], {
      cwd: stage.project.dir,
      env: stage.env,
    });
    expect(run.code, run.stderr).toBe(0);
    const record = stage.record('whole-1');
    const taskArn = String(record?.ecsTask);
    const taskId = taskArn.split('/').pop() ?? '';

    // when
    const shown = await runCli(['runs', 'show', 'whole-1', '--stage', 'prod'], {
      cwd: stage.project.dir,
      env: { ...stage.env, COLUMNS: '80' },
    });

    // then
    expect(shown.code, shown.stderr).toBe(0);
    const fields = shown.stdout.split('\n\n')[0] ?? '';
    expect(fields).not.toContain('…');
    expect(fields).toContain(`task/admin/${taskId}`);
    expect(fields).toContain(`${taskArn})`);
  });
});
