import { App, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildBundle, type Bundle } from '../bundle/build-bundle.js';
import { ERROR_PREFIX, isCnfError, UsageError } from '../core/errors.js';
import { invocationOf } from '../core/invocation-name.js';
import { findProject, stageOf, type Project } from '../core/project.js';
import { assertValidStageName, type Stage } from '../core/stage.js';
import { AdminApp, STAGE_CONTEXT_KEY, type AdminAppProps } from './admin-app.js';

/**
 * Has cdk-nag's AwsSolutions pack check `app` at synth: a finding fails the
 * synth, as a policy validation does. The CDK app that `cnf-admin init`
 * writes calls it once, as {@link runCdkApp} does; the construct
 * acknowledges each finding it means to have, with its reason (docs/cdk.md).
 *
 * @example
 * const app = new App();
 * addCdkNagChecks(app);
 */
function addCdkNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** What a project's CDK app deploys on a stage, beyond the app, the stage and the bundle. */
type StageProps = Omit<AdminAppProps, 'app' | 'stage' | 'bundle' | 'projectDir'>;

/** Options of {@link runCdkApp}. */
interface CdkAppOptions {
  /**
   * The admin app's props for a stage.
   *
   * @default - the defaults of every prop
   */
  readonly props?: (stage: Stage) => StageProps;
  /**
   * Where to look for the project's `cdk.json`.
   *
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * The app's output directory.
   *
   * @default - the one the CDK CLI sets (`CDK_OUTDIR`)
   */
  readonly outdir?: string;
  /**
   * Context values, as `-c key=value` gives them.
   *
   * @default - the context the CDK CLI passes
   */
  readonly context?: Readonly<Record<string, string>>;
  /**
   * Where a bad project or stage is reported.
   *
   * @default process.stderr
   */
  readonly stderr?: NodeJS.WritableStream;
}

/**
 * Adds the stack of the stage named in the context (`-c stage=prod`) to
 * `app`: `<app>-<stage>`, holding the admin app built from the project's
 * bundle, with cdk-nag's AwsSolutions pack checking it at synth.
 *
 * The stack is environment-agnostic unless the project pins the stage's
 * region in `cdk.json`; nothing is looked up, so synth needs neither
 * credentials nor network.
 *
 * @throws UsageError when no stage is given, when it is not an AWS stage of
 * the project, or when the project or the props are invalid.
 */
async function addProjectStack(app: App, options: Pick<CdkAppOptions, 'props' | 'cwd'> = {}): Promise<Stack> {
  const project = findProject(options.cwd ?? process.cwd());
  const stageName: unknown = app.node.tryGetContext(STAGE_CONTEXT_KEY);
  if (stageName === undefined) {
    const awsStages = awsStagesOf(project);
    throw new UsageError(`No stage given. This project's AWS stages: ${awsStages.map((stage) => stage.name).join(', ') || '(none)'}.`, {
      hint: `Name one with -c, e.g. npx cdk synth -c ${STAGE_CONTEXT_KEY}=${awsStages[0]?.name ?? 'prod'}`,
    });
  }
  assertValidStageName(stageName);
  const stage = stageOf(project, stageName);
  if (stage.platform !== 'aws') {
    throw new UsageError(`Stage ${stage.name} lives on this machine, not in AWS.`, {
      hint: `Deploy it with: ${invocationOf(process.env)} deploy --stage ${stage.name}`,
    });
  }
  const stack = addStageStack(app, project, stage, await buildBundle(project), options.props);
  addCdkNagChecks(app);
  return stack;
}

/**
 * Adds the stack of every AWS stage of the project to `app`, from one
 * bundle: what the CDK app synthesises when no stage is named, so that
 * `npx cdk bootstrap` finds the environments to bootstrap (one per region
 * the stages pin, or the default one), and `npx cdk ls` lists the stages.
 * A deploy still has to name its stack (or its stage).
 *
 * @throws UsageError when the project or the props are invalid.
 */
async function addEveryStageStack(app: App, options: Pick<CdkAppOptions, 'props' | 'cwd'> = {}): Promise<Stack[]> {
  const project = findProject(options.cwd ?? process.cwd());
  const stages = awsStagesOf(project);
  if (stages.length === 0) return [];
  const bundle = await buildBundle(project);
  const stacks = stages.map((stage) => addStageStack(app, project, stage, bundle, options.props));
  addCdkNagChecks(app);
  return stacks;
}

/**
 * The stages a CDK app synthesises: the one named in the context
 * (`-c stage=prod`), or else every AWS stage of the project's `cdk.json`, so
 * that `npx cdk bootstrap` and `npx cdk ls` need no stage. What the CDK app
 * that `cnf-admin init` writes loops over.
 *
 * @example
 * const app = new App();
 * for (const stage of stagesToSynth(app)) new AdminApp(new Stack(app, `billing-${stage}`), 'Admin', { stage });
 *
 * @throws UsageError when the named stage is not an AWS stage of the project, or the project is invalid.
 */
function stagesToSynth(scope: IConstruct, cwd: string = process.cwd()): string[] {
  const project = findProject(cwd);
  const named: unknown = scope.node.tryGetContext(STAGE_CONTEXT_KEY);
  if (named === undefined) return awsStagesOf(project).map((stage) => stage.name);
  assertValidStageName(named);
  if (stageOf(project, named).platform !== 'aws') {
    throw new UsageError(`Stage ${named} lives on this machine, not in AWS.`, {
      hint: `Deploy it with: ${invocationOf(process.env)} deploy --stage ${named}`,
    });
  }
  return [named];
}

function awsStagesOf(project: Project): Stage[] {
  return [...project.stages.values()].filter((stage) => stage.platform === 'aws');
}

function addStageStack(app: App, project: Project, stage: Stage, bundle: Bundle, props: CdkAppOptions['props']): Stack {
  const stack = new Stack(app, `${project.app}-${stage.name}`, {
    description: `cnf-admin: ${project.app} ${stage.name}`,
    ...(stage.region === undefined ? {} : { env: { region: stage.region } }),
  });
  new AdminApp(stack, 'App', { ...props?.(stage), app: project.app, stage: stage.name, bundle });
  return stack;
}

/**
 * Runs a project's CDK app, as `cdk.json`'s `"app"` starts it: builds the
 * stage's stack and synthesises it. Resolves to the process's exit code.
 *
 * Without a stage (`-c stage=<name>`) it synthesises the stack of every AWS
 * stage, and says so on stderr: `npx cdk bootstrap` and `npx cdk ls` work
 * without one.
 *
 * A bad project, stage or prop prints one line and what to do next, not a
 * stack trace; anything else is thrown, since it is the tool's fault.
 */
async function runCdkApp(options: CdkAppOptions = {}): Promise<number> {
  const stderr = options.stderr ?? process.stderr;
  // Synthesised explicitly below, and only when the stack is complete.
  const app = new App({
    autoSynth: false,
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
    ...(options.context === undefined ? {} : { context: options.context }),
  });
  try {
    if (app.node.tryGetContext(STAGE_CONTEXT_KEY) === undefined) {
      const stacks = await addEveryStageStack(app, options);
      const names = stacks.map((stack) => stack.stackName);
      stderr.write(
        `cnf-admin: no stage given (-c ${STAGE_CONTEXT_KEY}=<name>): ${names.length === 0 ? 'this project has no AWS stage, and so no stack' : `every AWS stage's stack: ${names.join(', ')}`}.\n`,
      );
    } else {
      await addProjectStack(app, options);
    }
  } catch (error) {
    if (!isCnfError(error)) throw error;
    stderr.write(`${ERROR_PREFIX} ${error.message}\n${error.hint === undefined ? '' : `${error.hint}\n`}`);
    return error.exitCode;
  }
  app.synth();
  return 0;
}

export { addCdkNagChecks, addEveryStageStack, addProjectStack, runCdkApp, STAGE_CONTEXT_KEY, stagesToSynth };
export type { CdkAppOptions, StageProps };
