/**
 * Progress on waits, on a real terminal (a tmux pane): a spinner with the
 * elapsed time on a terminal's stderr, and never with --json, CI or
 * NO_COLOR, nor on stdout.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { runInTerminal, showsSpinner } from '../support/terminal.js';

describe('progress on a terminal', () => {
  let project: TestProject;

  beforeAll(async () => {
    project = createTestProject('tasks');
    // The first deploy of a copy takes longest; the tests below each build again.
    expect((await project.cli(['deploy'])).code).toBe(0);
  });

  /** Changes a source, so that the next deploy builds (a deploy of an unchanged tree builds nothing). */
  let edits = 0;
  function editSource(): void {
    edits += 1;
    appendFileSync(join(project.dir, 'lambda', 'tasks', 'noop.ts'), `\nexport const edit${edits} = ${edits};\n`);
  }

  afterAll(async () => {
    await project.cleanup();
  });

  it('shows a spinner with the elapsed time while the bundle builds, on stderr only, then how long it took', async () => {
    // given
    const stdoutFile = join(project.dir, 'deploy-stdout.txt');
    editSource();

    // when
    const result = await runInTerminal(['deploy'], { cwd: project.dir, stdoutFile });

    // then: the spinner turned, labelled, with the seconds so far, and the cursor came back
    expect(result.code).toBe(0);
    expect(showsSpinner(result.bytes)).toBe(true);
    expect(result.bytes).toMatch(/Building the bundle .*\d+s/);
    expect(result.bytes).toContain('\u001B[?25h');
    // and: the screen keeps one line for the wait, not a line per frame
    expect(result.screen.filter((row) => row.includes('Building the bundle'))).toEqual([
      expect.stringMatching(/^✔ Building the bundle \(\d+(\.\d)? m?s\)$/),
    ]);
    // and: stdout holds the release id alone
    expect(readFileSync(stdoutFile, 'utf8')).toMatch(/^r-[0-9a-f]{12}\n$/);
  });

  it("shows a spinner while a run waits for its task's lock, and takes it away when the run goes on", async () => {
    // given: another run holds the lock
    const holder = await project.cli(['invoke', 'locked', '--detach', '--', '--ms', '4000']);
    expect(holder.code).toBe(0);
    const holderId = holder.stdout.trim();

    // when
    const result = await runInTerminal(['invoke', 'locked', '--wait-lock', '30s', '--', '--ms', '0'], { cwd: project.dir });

    // then: the spinner named the holder while the run waited, and the run then went on to its end
    expect(result.code).toBe(0);
    expect(result.bytes).toMatch(new RegExp(`[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏].*Waiting for the lock held by run ${holderId}`));
    expect(result.screen.join('\n')).not.toMatch(/Waiting for the lock held by run \S+ \d+s/);
    expect(result.screen.at(-1)).toMatch(/^✔ exit 0 · /);
  });

  it.each([
    ['--json', ['deploy', '--json'], {}],
    ['CI=true', ['deploy'], { CI: 'true' }],
    ['NO_COLOR', ['deploy'], { NO_COLOR: '1' }],
  ])('shows no spinner with %s, only a plain line', async (_case, args, env) => {
    // given
    editSource();

    // when
    const result = await runInTerminal(args, { cwd: project.dir, env });

    // then
    expect(result.code).toBe(0);
    expect(showsSpinner(result.bytes)).toBe(false);
    expect(result.bytes).not.toContain('\u001B[?25l');
    expect(result.screen).toContain('· Building the bundle');
  });
});
