import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { App, Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../../lib/core/exit-codes.js';
import { addCdkNagChecks, addProjectStack, runCdkApp } from '../../lib/construct/cdk-app.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

beforeAll(() => {
  project = createTestProject('notes');
});

afterAll(() => project.cleanup());

/** Rewrites the project's cdk.json settings (`context.cnf`). */
function editSettings(edit: (cnf: Record<string, unknown>) => void): void {
  const file = join(project.dir, 'cdk.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { context: { cnf: Record<string, unknown> } };
  edit(json.context.cnf);
  writeFileSync(file, JSON.stringify(json, null, 2));
}

async function run(context: Record<string, string>) {
  let stderr = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      stderr += String(chunk);
      done();
    },
  });
  const code = await runCdkApp({ cwd: project.dir, context, stderr: sink, outdir: join(project.dir, 'cdk.out') });
  return { code, stderr };
}

describe('addCdkNagChecks', () => {
  it("fails the synth of an app with a stack cdk-nag's AwsSolutions pack finds fault with, naming the rule", () => {
    const app = new App({ outdir: join(project.dir, 'cdk.out.nag') });
    addCdkNagChecks(app);
    new Bucket(new Stack(app, 'Unchecked'), 'Bucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});

describe('the project CDK app', () => {
  it("synthesises every AWS stage's stack when no stage is given, and says so, so that cdk bootstrap finds its environments", async () => {
    const { code, stderr } = await run({});
    expect(code).toBe(0);
    expect(stderr).toBe("cnf-admin: no stage given (-c stage=<name>): every AWS stage's stack: notes-dev, notes-prod.\n");
    const manifest = JSON.parse(readFileSync(join(project.dir, 'cdk.out', 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; environment?: string }>;
    };
    const stacks = Object.entries(manifest.artifacts).filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
    expect(stacks.map(([id, artifact]) => [id, artifact.environment])).toEqual([
      ['notes-dev', 'aws://unknown-account/unknown-region'],
      ['notes-prod', 'aws://unknown-account/unknown-region'],
    ]);
  });

  it('names no stage by default when the project has no AWS stage', async () => {
    const original = readFileSync(join(project.dir, 'cdk.json'), 'utf8');
    editSettings((cnf) => {
      cnf.stages = { local: { platform: 'local' } };
    });
    try {
      const { code, stderr } = await run({});
      expect(code).toBe(0);
      expect(stderr).toContain('this project has no AWS stage, and so no stack');
    } finally {
      writeFileSync(join(project.dir, 'cdk.json'), original);
    }
  });

  it('still refuses addProjectStack without a stage, naming the AWS stages', async () => {
    const error = await addProjectStack(new App({ outdir: join(project.dir, 'cdk.out') }), { cwd: project.dir }).catch((caught) => caught);
    expect((error as Error).message).toBe("No stage given. This project's AWS stages: dev, prod.");
  });

  it('refuses a stage name that is invalid in resource names, naming it', async () => {
    const { code, stderr } = await run({ stage: 'Prod_EU' });
    expect(code).toBe(ExitCode.USAGE);
    expect(stderr).toContain('got: "Prod_EU"');
  });

  it('refuses a stage the project does not declare, listing the ones it does', async () => {
    const { code, stderr } = await run({ stage: 'qa' });
    expect(code).toBe(ExitCode.USAGE);
    expect(stderr).toContain('Unknown stage "qa". This project\'s stages: local, dev, prod.');
  });

  it('refuses the local stage, which deploys with cnf-admin, written as the user runs it', async () => {
    try {
      // Run by a cdk on the PATH: no npm in the environment (vitest under npm test has it).
      vi.stubEnv('npm_command', undefined);
      vi.stubEnv('npm_lifecycle_event', undefined);
      const { code, stderr } = await run({ stage: 'local' });
      expect(code).toBe(ExitCode.USAGE);
      expect(stderr).toBe('cnf-admin: Stage local lives on this machine, not in AWS.\nDeploy it with: cnf-admin deploy --stage local\n');
      // Under npx cdk synth, where a bare cnf-admin is not on the PATH.
      vi.stubEnv('npm_command', 'exec');
      expect((await run({ stage: 'local' })).stderr).toContain('Deploy it with: npx cnf-admin deploy --stage local\n');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses a project without an app name, naming the value it got', async () => {
    const original = readFileSync(join(project.dir, 'cdk.json'), 'utf8');
    editSettings((cnf) => delete cnf.app);
    try {
      const { code, stderr } = await run({ stage: 'prod' });
      expect(code).toBe(ExitCode.USAGE);
      expect(stderr).toContain("App name must be 1-32 lower-case letters, digits or '-', starting with a letter, got: undefined");
      expect(stderr).toContain('Set context.cnf.app in cdk.json');
    } finally {
      writeFileSync(join(project.dir, 'cdk.json'), original);
    }
  });

  it('builds the stack <app>-<stage>, pinned to the region the project gives the stage, and environment-agnostic otherwise', async () => {
    editSettings((cnf) => {
      (cnf.stages as Record<string, unknown>).prod = { platform: 'aws', region: 'eu-west-1' };
    });
    const pinned = await addProjectStack(new App({ context: { stage: 'prod' }, outdir: join(project.dir, 'cdk.out') }), {
      cwd: project.dir,
    });
    expect(pinned.stackName).toBe('notes-prod');
    expect(pinned.region).toBe('eu-west-1');
    const agnostic = await addProjectStack(new App({ context: { stage: 'dev' }, outdir: join(project.dir, 'cdk.out') }), {
      cwd: project.dir,
    });
    expect(agnostic.stackName).toBe('notes-dev');
    expect(agnostic.resolve(agnostic.region)).toEqual({ Ref: 'AWS::Region' });
  });
});
