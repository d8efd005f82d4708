/**
 * `runs show` has the whole record (docs/output.md): at 80 columns a
 * container run's log stream and ECS task ARN, wider than the column, wrap
 * whole rather than end in `…`.
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
