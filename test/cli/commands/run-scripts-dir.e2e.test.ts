import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject, type TestProject } from '../../support/test-project.js';

let project: TestProject;

beforeAll(() => {
  // given: a project whose one-time scripts live under ops/, as context.cnf.scriptsDir says
  project = createTestProject('tasks');
  mkdirSync(join(project.dir, 'ops'));
  writeFileSync(
    join(project.dir, 'ops', 'stamp.ts'),
    `import { defineScript } from 'cnf-admin/runtime';

export default defineScript({ description: 'Report where it ran', run: async ({ release }) => ({ release }) });
`,
  );
  const file = join(project.dir, 'cdk.json');
  const cdkJson = JSON.parse(readFileSync(file, 'utf8'));
  cdkJson.context.cnf.scriptsDir = 'ops';
  writeFileSync(file, JSON.stringify(cdkJson, null, 2));
});

afterAll(() => project.cleanup());

describe('cnf-admin run with context.cnf.scriptsDir', () => {
  it('runs a script by its path in the project, and by its name in the release', async () => {
    const byProjectPath = await project.cli(['run', 'ops/stamp.ts', '--json']);
    expect(byProjectPath.code, byProjectPath.stderr).toBe(0);
    const result = JSON.parse(byProjectPath.stdout) as { task: string; exitCode: number; release: string; output: { release: string } };
    expect(result).toMatchObject({ task: 'scripts/stamp.ts', exitCode: 0 });
    expect(result.output.release).toBe(result.release);
    const byReleaseName = await project.cli(['run', 'scripts/stamp.ts', '--json']);
    expect(byReleaseName.code, byReleaseName.stderr).toBe(0);
  });

  it('refuses a script that is not on disk (64), naming where it looked and the one close by; nothing deploys or runs', async () => {
    const before = (await project.cli(['runs', '--json'])).stdout;
    const result = await project.cli(['run', 'ops/stmp.ts']);
    expect(result.code).toBe(64);
    expect(result.stderr).toBe(
      'cnf-admin: No such script: scripts/stmp.ts (there is no ops/stmp.ts). Did you mean "scripts/stamp.ts"?\nThe scripts here: scripts/stamp.ts\n',
    );
    expect((await project.cli(['runs', '--json'])).stdout).toBe(before);
  });

  it('refuses a script whose path holds a character no script name takes (64), saying to rename it; nothing deploys or runs', async () => {
    mkdirSync(join(project.dir, 'ops', 'with space'));
    writeFileSync(
      join(project.dir, 'ops', 'with space', 'my stamp.ts'),
      `import { defineScript } from 'cnf-admin/runtime';\n\nexport default defineScript({ description: 'Spaced', run: async () => 1 });\n`,
    );
    try {
      const before = (await project.cli(['runs', '--json'])).stdout;
      const result = await project.cli(['run', 'ops/with space/my stamp.ts']);
      expect(result.code).toBe(64);
      expect(result.stderr).toBe(
        'cnf-admin: scripts/with space/my stamp.ts is no script a release can carry: a script\'s path takes only letters, digits, "_" and "-" (and "." in its file name).\n' +
          'Rename it, e.g. to scripts/with-space/my-stamp.ts, then run that: cnf-admin run scripts/with-space/my-stamp.ts\n',
      );
      const missing = await project.cli(['run', 'ops/stmp.ts']);
      expect(missing.stderr).toContain('The scripts here: scripts/stamp.ts\n');
      expect((await project.cli(['runs', '--json'])).stdout).toBe(before);
    } finally {
      rmSync(join(project.dir, 'ops', 'with space'), { recursive: true });
    }
  });

  it('suggests no name made from a script path that holds a secure value: most of the value would show in it', async () => {
    expect((await project.cli(['config', 'set', 'RUN_PATH_SECRET', '--secure', '--', 'hunter2@corp!x'])).code).toBe(0);
    try {
      const result = await project.cli(['run', 'ops/hunter2@corp!x.ts']);
      expect(result.code).toBe(64);
      expect(result.stderr).toContain('Rename it to a path of those characters only, then run that.');
      expect(result.stderr).not.toContain('hunter2');
    } finally {
      expect((await project.cli(['config', 'unset', 'RUN_PATH_SECRET'])).code).toBe(0);
    }
  });

  it('runs a script a pair other than live carries, though the file is gone from disk: the checkout is not what runs there', async () => {
    expect((await project.cli(['deploy', '--alias', 'canary'])).code).toBe(0);
    const file = join(project.dir, 'ops', 'stamp.ts');
    const source = readFileSync(file, 'utf8');
    rmSync(file);
    try {
      const result = await project.cli(['run', 'scripts/stamp.ts', '--alias', 'canary']);
      expect(result.code, result.stderr).toBe(0);
    } finally {
      writeFileSync(file, source);
    }
  });
});
