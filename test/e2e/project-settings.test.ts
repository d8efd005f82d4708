/**
 * cdk.json's context.cnf, checked whole before anything runs, through the
 * real binary: a misspelt key gets a did-you-mean, a directory setting that
 * names a file is 64 naming cdk.json (in deploy and in a CDK app's synth),
 * and a config key every object answers to starts nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliResult } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

let project: TestProject | undefined;

afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

/** A copy of the tasks app whose context.cnf is changed by `edit`. */
function projectWith(edit: (cnf: Record<string, unknown>) => void): TestProject {
  project = createTestProject('tasks');
  const file = join(project.dir, 'cdk.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { context: { cnf: Record<string, unknown> } };
  edit(json.context.cnf);
  writeFileSync(file, JSON.stringify(json, null, 2));
  return project;
}

function expectRefused(result: CliResult, message: string): void {
  expect(result.stderr).toContain(message);
  expect(result.stderr).toMatch(/^cnf-admin: /);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.code).toBe(64);
}

describe('context.cnf', () => {
  it('a misspelt key: 64 with a did-you-mean, for every command', async () => {
    const copy = projectWith((cnf) => {
      cnf.scriptDir = 'ops';
    });
    for (const args of [['invoke', 'noop'], ['deploy'], ['runs']]) {
      expectRefused(
        await copy.cli(args),
        `Unknown key "scriptDir" in context.cnf of ${join(copy.dir, 'cdk.json')}. Did you mean "scriptsDir"?`,
      );
    }
  });

  it('a databaseUrlVariable of "__proto__": 64, and no database started', async () => {
    const copy = projectWith((cnf) => {
      cnf.databaseUrlVariable = '__proto__';
      cnf.stages = { local: { platform: 'local', database: 'postgres' } };
    });
    const result = await copy.cli(['db', 'url']);
    expectRefused(result, 'databaseUrlVariable');
    expect(result.stderr).not.toContain('Starting the embedded PostgreSQL');
  });

  it('webEntry equal to adminEntry: 64', async () => {
    const copy = projectWith((cnf) => {
      cnf.webEntry = 'lambda/admin.ts';
      cnf.adminEntry = 'lambda/admin.ts';
    });
    expectRefused(await copy.cli(['deploy']), 'name one file, lambda/admin.ts; the web and the admin entry are two.');
  });

  it.each([
    ['scriptsDir', (cnf: Record<string, unknown>) => (cnf.scriptsDir = 'notes.txt'), 'notes.txt'],
    ['assetDirs', (cnf: Record<string, unknown>) => (cnf.assetDirs = ['notes.txt']), 'lambda/notes.txt'],
  ])('%s naming a file: 64 naming cdk.json, in deploy and in a CDK app', async (key, edit, path) => {
    const copy = projectWith(edit);
    writeFileSync(join(copy.dir, path), 'not a directory');
    const message = `context.cnf.${key} in ${join(copy.dir, 'cdk.json')} names ${join(copy.dir, path)}, which is not a directory.`;
    expectRefused(await copy.cli(['deploy']), message);
    // The CDK app loads the constructs through the package, another copy of the error classes than the CLI's.
    mkdirSync(join(copy.dir, 'bin'));
    writeFileSync(join(copy.dir, 'package.json'), JSON.stringify({ name: 'fixture', type: 'module' }));
    writeFileSync(
      join(copy.dir, 'bin', 'cdk-app.ts'),
      "import { runCdkApp } from 'cnf-admin/construct';\nprocess.exitCode = await runCdkApp();\n",
    );
    expectRefused(await copy.cli(['cdk-app', 'bin/cdk-app.ts'], { env: { CNF_STAGE: 'prod' } }), message);
  });
});

describe('a CDK app', () => {
  it('that throws from its own code: 65 naming what it threw and where in the project, in one line; CNF_DEBUG=1 adds the stack', async () => {
    const copy = projectWith(() => undefined);
    mkdirSync(join(copy.dir, 'bin'));
    writeFileSync(join(copy.dir, 'package.json'), JSON.stringify({ name: 'fixture', type: 'module' }));
    const app = [
      "import { App, Stack } from 'aws-cdk-lib';",
      'const app = new App();',
      "new Stack(app, 'twice');",
      "new Stack(app, 'twice');",
      'app.synth();',
      '',
    ].join('\n');
    writeFileSync(join(copy.dir, 'bin', 'cdk-app.ts'), app);
    const result = await copy.cli(['cdk-app', 'bin/cdk-app.ts']);
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(
      /^cnf-admin: The CDK app bin\/cdk-app.ts failed at bin\/cdk-app.ts:4:\d+: There is already a Construct with name 'twice' in App\n/,
    );
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).not.toContain('bug in cnf-admin');
    const debug = await copy.cli(['cdk-app', 'bin/cdk-app.ts'], { env: { CNF_DEBUG: '1' } });
    expect(debug.code).toBe(65);
    expect(debug.stderr).toContain(`caused by: Error: There is already a Construct with name 'twice' in App`);
    expect(debug.stderr).toContain(`${join(copy.dir, 'bin', 'cdk-app.ts')}:4:`);
  });

  it('run by hand, not by the cdk CLI: 0, and a line says what runs it and how to synthesise a stage', async () => {
    const copy = projectWith(() => undefined);
    mkdirSync(join(copy.dir, 'bin'));
    writeFileSync(join(copy.dir, 'package.json'), JSON.stringify({ name: 'fixture', type: 'module' }));
    const app =
      "import { App, Stack } from 'aws-cdk-lib';\nconst app = new App({ outdir: 'cdk.out' });\nnew Stack(app, 'one');\napp.synth();\n";
    writeFileSync(join(copy.dir, 'bin', 'cdk-app.ts'), app);
    const byHand = await copy.cli(['cdk-app', 'bin/cdk-app.ts']);
    expect(byHand.code, byHand.stderr).toBe(0);
    expect(byHand.stderr).toContain(
      'Ran the CDK app bin/cdk-app.ts outside the cdk CLI, which is what runs it (cdk.json\'s "app"): nothing was deployed. Synthesise a stage with: npx cdk synth -c stage=<stage>\n',
    );
    // The cdk CLI names the assembly's directory: under it, the app says nothing of its own (CDK's warnings are its own).
    const underCdk = await copy.cli(['cdk-app', 'bin/cdk-app.ts'], { env: { CDK_OUTDIR: join(copy.dir, 'cdk.out') } });
    expect(underCdk.code, underCdk.stderr).toBe(0);
    expect(underCdk.stderr).not.toContain('outside the cdk CLI');
  });

  it('that imports a package that is not installed: 65 naming the package and the npm install line', async () => {
    const copy = projectWith(() => undefined);
    mkdirSync(join(copy.dir, 'bin'));
    writeFileSync(join(copy.dir, 'package.json'), JSON.stringify({ name: 'fixture', type: 'module' }));
    writeFileSync(join(copy.dir, 'bin', 'cdk-app.ts'), "import { App } from 'cdk-lib-not-installed';\nnew App();\n");
    const result = await copy.cli(['cdk-app', 'bin/cdk-app.ts']);
    expect(result.code).toBe(65);
    expect(result.stderr).toBe(
      'cnf-admin: The CDK app bin/cdk-app.ts failed: it needs the package cdk-lib-not-installed, which is not installed.\n' +
        'Install it: npm install -D cdk-lib-not-installed, then synthesise again: nothing was synthesised.\n',
    );
  });
});
