/**
 * A run's log is found by its run id in CloudWatch, whose filter matches any
 * line that holds it: run `m1`'s query finds run `m10`'s lines too. The CLI
 * shows the run's own lines alone, through the real binary against the live
 * stage (test/support/live-container-stage.ts).
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
