import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Duration, RemovalPolicy, type App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '../../lib/bundle/build-bundle.js';
import { UsageError } from '../../lib/core/errors.js';
import { releaseDescription, type StageRecord } from '../../lib/core/stage-record.js';
import { AdminApp } from '../../lib/construct/admin-app.js';
import { ConstructValidationError } from '../../lib/construct/errors.js';
import {
  adminAppStack,
  evaluate,
  logicalIdOf,
  newStack,
  notesBundle,
  removeOutdirs,
  stackArn,
  type TestProps,
} from './support/admin-app-stack.js';
import { tempDir } from '../support/temp-dir.js';

type Resource = { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: string[] };

function only(resources: Record<string, Record<string, unknown>>, what: string): [string, Resource] {
  const entries = Object.entries(resources);
  if (entries.length !== 1) throw new Error(`expected exactly one ${what}, found ${entries.length}`);
  return entries[0] as unknown as [string, Resource];
}

function functionNamed(template: Template, name: string): [string, Resource] {
  return only(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: name } }), `function ${name}`);
}

/** The statements of the policies attached to a role. */
function statementsOf(template: Template, roleLogicalId: string): unknown[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } });
  return Object.values(policies).flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement);
}

const pathArn = (suffix: string) => stackArn('ssm', `parameter/notes/prod${suffix}`);

/** The stage record's value, with its deploy-time parts filled in as CloudFormation would. */
function recordOf(recordTemplate: Template, recordApp: AdminApp, region = 'eu-west-1', tableName = 'notes-prod-ledger'): string {
  const [, parameter] = only(
    recordTemplate.findResources('AWS::SSM::Parameter', { Properties: { Name: Match.stringLikeRegexp('/_cnf/stage$') } }),
    'stage record',
  );
  expect(parameter.Properties).toMatchObject({ Type: 'String', Tier: 'Standard' });
  return evaluate(parameter.Properties.Value, { 'AWS::Region': region, [logicalIdOf(recordApp.ledger.table)]: tableName }) as string;
}

let bundle: Bundle;
let stack: Stack;
let app: AdminApp;
let template: Template;

beforeAll(async () => {
  bundle = await notesBundle();
  // Given the example app's stack
  ({ stack, app, template } = await adminAppStack({
    releasePhase: { task: 'migrate' },
    schedules: [{ task: 'notes:purge', args: { olderThanDays: 365 }, schedule: 'rate(1 day)' }],
    parameters: { NOTES_PAGE_SIZE: '100' },
    secureParameters: ['DATABASE_URL'],
  }));
});

afterAll(removeOutdirs);

describe('AdminApp functions', () => {
  it('deploys web and admin from the same asset, with their own handlers, on nodejs22.x arm64', () => {
    const [, web] = functionNamed(template, 'notes-prod-web');
    const [, admin] = functionNamed(template, 'notes-prod-admin');
    expect(web.Properties.Code).toEqual(admin.Properties.Code);
    expect(web.Properties).toMatchObject({ Handler: 'web.handler', Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    expect(admin.Properties).toMatchObject({ Handler: 'admin.handler', Runtime: 'nodejs22.x', Architectures: ['arm64'] });
  });

  it('stages the bundle itself as that asset: exactly its files', () => {
    const code = functionNamed(template, 'notes-prod-web')[1].Properties.Code as { S3Key: string };
    const staged = join((stack.node.root as App).outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    const files = readdirSync(staged, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(staged, join(entry.parentPath, entry.name)).split(sep).join('/'));
    expect(files.sort()).toEqual(bundle.files.map((file) => file.path).sort());
    expect(readFileSync(join(staged, 'manifest.json'), 'utf8')).toContain('"notes:purge"');
  });

  it('gives each function the app, stage, release and parameter path, and admin the ledger and console switch', () => {
    const common = {
      NODE_OPTIONS: '--enable-source-maps',
      CNF_APP: 'notes',
      CNF_STAGE: 'prod',
      CNF_RELEASE: bundle.release,
      CNF_PARAMETER_PATH: '/notes/prod/',
    };
    expect(functionNamed(template, 'notes-prod-web')[1].Properties.Environment).toEqual({ Variables: common });
    expect(functionNamed(template, 'notes-prod-admin')[1].Properties.Environment).toEqual({
      Variables: { ...common, CNF_LEDGER_TABLE: { Ref: logicalIdOf(app.ledger.table) }, CNF_CONSOLE_ENABLED: 'false' },
    });
  });

  it('defaults to a short web function and a 15-minute admin function', () => {
    expect(functionNamed(template, 'notes-prod-web')[1].Properties).toMatchObject({ Timeout: 10, MemorySize: 512 });
    expect(functionNamed(template, 'notes-prod-admin')[1].Properties).toMatchObject({ Timeout: 900, MemorySize: 1024 });
  });

  it('publishes a retained version per function, described with the release', () => {
    const versions = template.findResources('AWS::Lambda::Version');
    expect(Object.keys(versions)).toEqual([logicalIdOf(app.webVersion), logicalIdOf(app.adminVersion)]);
    for (const [id, version] of Object.entries(versions)) {
      expect(version.Properties.Description, id).toBe(releaseDescription(bundle.release));
      // Kept when a later release replaces it; removed only if the deploy that published it rolls back.
      expect(version.DeletionPolicy, id).toBe('RetainExceptOnCreate');
      expect(version.UpdateReplacePolicy, id).toBe('Retain');
    }
  });

  it('points the alias pair "live" at the two versions, described with the release', () => {
    for (const [fn, version] of [
      [app.webFunction, app.webVersion],
      [app.adminFunction, app.adminVersion],
    ] as const) {
      template.hasResourceProperties('AWS::Lambda::Alias', {
        Name: 'live',
        FunctionName: { Ref: logicalIdOf(fn) },
        FunctionVersion: { 'Fn::GetAtt': [logicalIdOf(version), 'Version'] },
        Description: releaseDescription(bundle.release),
      });
    }
    template.resourceCountIs('AWS::Lambda::Alias', 2);
  });

  it('logs to explicit log groups with a retention, in JSON', () => {
    for (const [name, days] of [
      ['notes-prod-web', 30],
      ['notes-prod-admin', 400],
    ] as const) {
      const [groupId] = only(
        template.findResources('AWS::Logs::LogGroup', {
          Properties: { LogGroupName: `/aws/lambda/${name}`, RetentionInDays: days },
          DeletionPolicy: 'RetainExceptOnCreate',
        }),
        `log group of ${name}`,
      );
      expect(functionNamed(template, name)[1].Properties.LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: groupId } });
    }
  });

  it('takes another removal policy for the log groups and the ledger of a throwaway stage', async () => {
    const { template: throwaway } = await adminAppStack({ stage: 'pr-42', removalPolicy: RemovalPolicy.DESTROY });
    throwaway.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/aws/lambda/notes-pr-42-admin' },
      DeletionPolicy: 'Delete',
    });
    throwaway.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    // Versions stay: an old release must remain invocable.
    throwaway.allResources('AWS::Lambda::Version', { DeletionPolicy: 'RetainExceptOnCreate' });
  });

  it('never retries an asynchronous admin invocation: not on $LATEST, the version, nor the alias', () => {
    const admin = { Ref: logicalIdOf(app.adminFunction) };
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: admin,
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
    });
    template.hasResource('AWS::Lambda::EventInvokeConfig', {
      Properties: { FunctionName: admin, Qualifier: { 'Fn::GetAtt': [logicalIdOf(app.adminVersion), 'Version'] }, MaximumRetryAttempts: 0 },
      // An old version keeps its setting.
      DeletionPolicy: 'RetainExceptOnCreate',
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: admin,
      Qualifier: { 'Fn::Select': [7, { 'Fn::Split': [':', { Ref: logicalIdOf(app.adminAlias) }] }] },
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(app.schedules!.deadLetterQueue), 'Arn'] } } },
    });
  });

  it('leaves nothing in the admin function that would stop InvokeWithResponseStream (no function URL, no container image)', () => {
    const [, admin] = functionNamed(template, 'notes-prod-admin');
    expect(admin.Properties.PackageType).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::Url', 0);
  });
});

describe('AdminApp IAM', () => {
  const readParameterSet = [
    { Action: 'ssm:GetParametersByPath', Effect: 'Allow', Resource: [pathArn(''), pathArn('/*')] },
    { Action: ['ssm:GetParameter', 'ssm:GetParameters'], Effect: 'Allow', Resource: pathArn('/*') },
  ];

  it('lets the web function write its logs and read the parameter set, and nothing else', () => {
    const role = logicalIdOf(app.webFunction.role!);
    expect(statementsOf(template, role)).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalIdOf(app.webFunction.node.scope!.node.findChild('LogGroup')), 'Arn'] },
      },
      ...readParameterSet,
    ]);
    expect(template.findResources('AWS::IAM::Role', { Properties: { ManagedPolicyArns: Match.anyValue() } })).not.toHaveProperty(role);
  });

  it('lets the admin function also keep the run ledger (no scans) and report a failed async run', () => {
    const table = logicalIdOf(app.ledger.table);
    const statements = statementsOf(template, logicalIdOf(app.adminFunction.role!));
    expect(statements.slice(1)).toEqual([
      ...readParameterSet,
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [table, 'Arn'] },
      },
      {
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: ['byStartedAt', 'byTask', 'byStatus'].map((index) => ({
          'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/index/${index}`]],
        })),
      },
      {
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalIdOf(app.schedules!.deadLetterQueue), 'Arn'] },
      },
    ]);
  });

  it('lets both functions decrypt with the parameter key, through SSM only, when one is given', async () => {
    const keyed = newStack();
    const key = new Key(keyed, 'Key', { enableKeyRotation: true });
    const keyedApp = new AdminApp(keyed, 'App', { app: 'notes', stage: 'prod', bundle, parameterKey: key });
    const keyedTemplate = Template.fromStack(keyed);
    for (const fn of [keyedApp.webFunction, keyedApp.adminFunction]) {
      expect(statementsOf(keyedTemplate, logicalIdOf(fn.role!))).toContainEqual({
        Action: 'kms:Decrypt',
        Condition: {
          StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['ssm.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } },
        },
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] },
      });
    }
    expect(JSON.stringify(statementsOf(template, logicalIdOf(app.webFunction.role!)))).not.toContain('kms:');
  });

  it('adds what the admin tasks need to the admin role only', async () => {
    const statement = new PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::notes-exports/*'] });
    const { app: extra, template: extraTemplate } = await adminAppStack({ adminPolicyStatements: [statement] });
    expect(statementsOf(extraTemplate, logicalIdOf(extra.adminFunction.role!))).toContainEqual({
      Action: 's3:GetObject',
      Effect: 'Allow',
      Resource: 'arn:aws:s3:::notes-exports/*',
    });
    expect(JSON.stringify(statementsOf(extraTemplate, logicalIdOf(extra.webFunction.role!)))).not.toContain('s3:');
  });

  it('grants invoking any admin version, or the web alias', () => {
    const granting = newStack();
    const grantingApp = new AdminApp(granting, 'App', { app: 'notes', stage: 'prod', bundle });
    const cli = new Role(granting, 'CliRole', { assumedBy: new ServicePrincipal('codebuild.amazonaws.com') });
    grantingApp.grantInvokeAdmin(cli);
    grantingApp.grantInvokeWeb(cli);
    const admin = logicalIdOf(grantingApp.adminFunction);
    expect(statementsOf(Template.fromStack(granting), logicalIdOf(cli))).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: [{ 'Fn::GetAtt': [admin, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [admin, 'Arn'] }, ':*']] }],
      },
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { Ref: logicalIdOf(grantingApp.webAlias) } },
    ]);
  });
});

describe('AdminApp stage record', () => {
  it('writes one String parameter at /<app>/<stage>/_cnf/stage holding the StageRecord', () => {
    const expected: StageRecord = {
      version: 1,
      app: 'notes',
      stage: 'prod',
      region: 'eu-west-1',
      aliasName: 'live',
      parameterPath: '/notes/prod/',
      web: { functionName: 'notes-prod-web', logGroup: '/aws/lambda/notes-prod-web' },
      admin: { functionName: 'notes-prod-admin', logGroup: '/aws/lambda/notes-prod-admin', timeoutSeconds: 900 },
      ledgerTable: 'notes-prod-ledger',
      console: false,
      stack: 'notes-prod',
    };
    expect(JSON.parse(recordOf(template, app))).toEqual(expected);
    // Written once both aliases are in place.
    const [, parameter] = only(template.findResources('AWS::SSM::Parameter', { Properties: { Name: '/notes/prod/_cnf/stage' } }), 'record');
    expect(parameter.DependsOn).toEqual(expect.arrayContaining([logicalIdOf(app.webAlias), logicalIdOf(app.adminAlias)]));
  });

  it('fits SSM standard tier (4 KB) even with the longest names it allows', async () => {
    const { app: longest, template: longTemplate } = await adminAppStack({
      app: `a${'b'.repeat(31)}`,
      stage: `s${'t'.repeat(23)}`,
      aliasName: 'x'.repeat(128),
    });
    const value = recordOf(longTemplate, longest, 'ap-southeast-99', 'T'.repeat(255));
    expect(JSON.parse(value).aliasName).toHaveLength(128);
    expect(Buffer.byteLength(value)).toBeLessThan(4096);
  });

  it('names the parameter key in the record when there is one, so that the CLI writes SecureStrings with it', () => {
    const keyed = newStack();
    const key = new Key(keyed, 'Key', { enableKeyRotation: true });
    const keyedApp = new AdminApp(keyed, 'App', { app: 'notes', stage: 'prod', bundle, parameterKey: key });
    expect(JSON.parse(recordOf(Template.fromStack(keyed), keyedApp)).parameterKey).toBe(`<${logicalIdOf(key)}.Arn>`);
    expect(JSON.parse(recordOf(template, app))).not.toHaveProperty('parameterKey');
  });

  it('switches the console on in the admin environment and the record together', async () => {
    const { app: withConsole, template: consoleTemplate } = await adminAppStack({ console: true });
    const [, admin] = functionNamed(consoleTemplate, 'notes-prod-admin');
    expect((admin.Properties.Environment as { Variables: Record<string, unknown> }).Variables.CNF_CONSOLE_ENABLED).toBe('true');
    expect(JSON.parse(recordOf(consoleTemplate, withConsole)).console).toBe(true);
  });
});

describe('AdminApp and cdk-nag', () => {
  it('leaves no AwsSolutions finding unacknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map(
        (violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });

  it('acknowledges each intended finding with a reason of its own', () => {
    const acknowledged = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledged.map(([id]) => id.replace(/^Annotation::/, '')).sort()).toEqual(
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        `AwsSolutions-IAM5[Resource::<${logicalIdOf(app.adminFunction)}.Arn>:*]`,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/notes/prod/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/notes/prod/*]',
        'AwsSolutions-L1',
        'AwsSolutions-L1',
        'AwsSolutions-L1',
        'AwsSolutions-L1',
        // The live-alias guard's provider.
        'AwsSolutions-L1',
        // The deployed config's provider (the stack declares plain parameters).
        'AwsSolutions-L1',
        'AwsSolutions-SQS3',
      ].sort(),
    );
    for (const [id, reason] of acknowledged) expect(reason.length, id).toBeGreaterThan(60);
  });
});

describe('AdminApp bad input', () => {
  const cases: [string, Partial<TestProps>, RegExp][] = [
    [
      'no app name and no project to take it from',
      { app: undefined, projectDir: tempDir('cnf-no-project') },
      /No cdk\.json found in .*cnf-no-project-/,
    ],
    ['an app name that is not valid in resource names', { app: 'Notes_App' }, /App name .*got: "Notes_App"/],
    ['a stage name that is not valid in resource names', { stage: 'prod_eu' }, /Stage name .*got: "prod_eu"/],
    ['a stage name too long for a Lambda function name', { stage: `p${'r'.repeat(24)}` }, /Stage name .*got: "prr+"/],
    ['an alias name Lambda would read as a version', { aliasName: '42' }, /aliasName .*got: "42"/],
    ['admin memory Lambda refuses', { admin: { memorySize: 64 } }, /admin\.memorySize .*got: 64/],
    ['a web timeout over 15 minutes', { web: { timeout: Duration.minutes(16) } }, /web\.timeout .*got: 16 minutes/],
    [
      'a release task the release does not have',
      { releasePhase: { task: 'migrate-all' } },
      /releasePhase\.task names task "migrate-all", which release r-[0-9a-f]{12} does not have\. Its tasks: migrate, notes:backfill, notes:purge, seed/,
    ],
    [
      'release task args the task does not take',
      { releasePhase: { task: 'migrate', args: { steps: 1 } } },
      /releasePhase\.args has steps, which task migrate does not take/,
    ],
    [
      'a schedule naming a task the release does not have',
      { schedules: [{ task: 'notes:archive', schedule: 'rate(1 day)' }] },
      /schedules\[0\]\.task names task "notes:archive"/,
    ],
    [
      'a schedule without the args its task requires',
      { schedules: [{ task: 'notes:purge', schedule: 'rate(1 day)' }] },
      /schedules\[0\]\.args lacks olderThanDays, which task notes:purge requires/,
    ],
    [
      'a schedule expression EventBridge Scheduler refuses',
      { schedules: [{ task: 'seed', schedule: 'daily' }] },
      /schedules\[0\]\.schedule must be rate\(\.\.\.\), cron\(\.\.\.\) or at\(\.\.\.\).*got: "daily"/,
    ],
    [
      'two schedules with one name',
      {
        schedules: [
          { task: 'seed', schedule: 'rate(1 day)' },
          { task: 'seed', schedule: 'rate(2 days)' },
        ],
      },
      /Two schedules are named "notes-prod-seed"/,
    ],
    [
      'a parameter under the reserved _cnf/ prefix',
      { parameters: { '_cnf/stage': 'x' } },
      /parameters: Config key "_cnf\/stage" is under the reserved _cnf\/ prefix/,
    ],
    [
      'a secure parameter under the reserved _cnf/ prefix',
      { secureParameters: ['_cnf/token'] },
      /secureParameters: Config key "_cnf\/token" is under the reserved _cnf\/ prefix/,
    ],
    [
      'a parameter that is both plain and secure',
      { parameters: { DATABASE_URL: 'x' }, secureParameters: ['DATABASE_URL'] },
      /"DATABASE_URL" is in both parameters and secureParameters/,
    ],
    [
      'an empty parameter value, which SSM refuses',
      { parameters: { EMPTY: '' } },
      /parameters\.EMPTY must be 1 to 4096 characters.*got: ""/,
    ],
  ];

  it.each(cases)('fails at synth on %s, naming the value', async (_what, props, message) => {
    const attempt = adminAppStack(props);
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
  });

  it('throws one validation error that names the construct path first', async () => {
    for (const props of [{ releasePhase: { task: 'nope' } }, { aliasName: '7' }]) {
      const attempt = adminAppStack(props);
      await expect(attempt).rejects.toBeInstanceOf(ConstructValidationError);
      await expect(attempt).rejects.toMatchObject({ constructPath: expect.stringMatching(/\/App$/) as unknown });
      await expect(attempt).rejects.toThrow(/^\S+\/App: /);
    }
  });
});
