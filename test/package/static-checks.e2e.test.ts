/**
 * The checks of the sources that are no test of behaviour: the type check
 * (strict, the page's sources too) and the API reports (api/*.md against
 * what dist/ exports). They run here, as two end-to-end tests, rather than
 * before vitest: they are processor work, and end-to-end files spend much of
 * their time waiting on the processes they start, so that `npm test` does
 * both at once.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

/** Runs an npm script of the repository: its exit code and everything it wrote. */
function npmScript(script: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', script], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` }),
    );
  });
}

describe('the sources', () => {
  it('type-check: tsc --noEmit, strict, for the repository and the page of cnf-admin ui (npm run typecheck)', async () => {
    const { code, output } = await npmScript('typecheck');
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 300_000);

  it('export what the API reports say (npm run api:check; npm run api:update after an intended change)', async () => {
    const { code, output } = await npmScript('api:check');
    expect(code, output).toBe(0);
  }, 300_000);
});
