/**
 * Secure values that are words or pieces of the words of what is read back
 * of a run (`type` and `line` of a log's frames, `ation` in `durationMs`):
 * `logs`, `runs show` and `--json` keep those keys and mask the values.
 * Masked whole, `logs` showed an empty log (exit 0), and `runs show` no
 * duration (`"dur[redacted]Ms"` in `--json`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { startUi } from '../support/ui-process.js';

let project: TestProject;
let runId: string;

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
  const ran = await project.cli(['invoke', 'noop', '--json']);
  expect(ran.code, ran.stderr).toBe(0);
  runId = (JSON.parse(ran.stdout) as { runId: string }).runId;
  // Made secure after the run: what is read back is masked of them.
  const words: [string, string][] = [
    ['WORD_TYPE', 'type'],
    ['WORD_LINE', 'line'],
    ['PIECE', 'ation'],
  ];
  for (const [key, value] of words)
    expect((await project.cli(['config', 'set', key, '-', '--secure'], { input: `${value}\n` })).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe('a run read back with secure values that are words of its frames and record', () => {
  it('logs shows the log', async () => {
    const result = await project.cli(['logs', runId]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Run started');
    expect(result.stdout).toContain('Run ended');
  });

  it('runs show --json keeps durationMs', async () => {
    const result = await project.cli(['runs', 'show', runId, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveProperty('durationMs');
    expect(result.stdout).not.toContain('[redacted]Ms');
  });

  it('runs show tells the duration', async () => {
    const result = await project.cli(['runs', 'show', runId]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/^duration -$/m);
  });

  it('ui answers the log frames and the record with their keys', async () => {
    const ui = await startUi(project.dir);
    try {
      const headers = { 'x-cnf-token': ui.token };
      const log = await (await fetch(`${ui.origin}/api/runs/${runId}/log`, { headers })).text();
      const frames = log
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(frames.some((frame) => frame.type === 'line' && String(frame.text).includes('Run ended'))).toBe(true);
      expect(frames.at(-1)).toHaveProperty('type', 'result');
      const run = (await (await fetch(`${ui.origin}/api/runs/${runId}`, { headers })).json()) as { record: Record<string, unknown> };
      expect(run.record).toHaveProperty('durationMs');
    } finally {
      await ui.stop();
    }
  });
});
