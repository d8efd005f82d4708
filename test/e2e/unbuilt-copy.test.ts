// A copy of this repository without dist/ (cloned, or copied, without npm ci):
// its example app imports cnf-admin/runtime, which resolves to the copy itself
// (a package imports itself by its name), whose dist/ is not there.
import { cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

describe('a copy of the repository without dist/', () => {
  it('does not build its example app: 65, saying that cnf-admin is not built there and how to build it; nothing deployed', async () => {
    // given: the sources, the example app, and node_modules; no dist/
    const copy = tempDir('cnf-unbuilt-copy');
    for (const entry of ['package.json', 'cdk.json', 'lambda', 'scripts'])
      cpSync(join(REPO_ROOT, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');

    // when
    const result = await runCli(['invoke', 'seed'], { cwd: copy });

    // then
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(
      new RegExp(
        `^  lambda/admin\\.ts:\\d+:\\d+: Could not resolve "cnf-admin/runtime": cnf-admin in ${copy} is not built \\(it has no dist/\\) \\(and \\d+ more imports of it\\)$`,
        'm',
      ),
    );
    expect(result.stderr).toContain(
      `Build cnf-admin: npm run build in ${copy} (or npm ci there, which installs and builds it), then run the command again: nothing was deployed, and nothing ran.`,
    );
    expect(result.stderr).not.toContain('Fix the code');
    expect(result.stderr).not.toContain('Deployed');
  });
});
