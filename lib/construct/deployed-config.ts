import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, CustomResource, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, LoggingFormat } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { CONFIG_ITEM_PREFIX } from '../core/config-item-key.js';
import { STAGE_LOCK } from '../core/config-ledger.js';
import { lockKey } from '../core/ledger-table.js';
import { LIVE_PAIR_KEY } from '../core/live-pair-record.js';
import { LAMBDA_NODE_RUNTIME, NODE_TARGET } from '../core/node-runtime.js';
import { assetOutdirOf } from './private/bundle-code.js';
import { RUNTIME } from './private/app-function.js';
import type { RunLedgerTable } from './run-ledger-table.js';
import type { StageParameters } from './stage-parameters.js';

/** Props of {@link DeployedConfig}. */
interface DeployedConfigProps {
  /** The stage's parameter set, whose declared plain values the deploy writes. */
  readonly parameters: StageParameters;
  /** The run ledger, where config versions are kept. */
  readonly ledger: RunLedgerTable;
  /** The declared plain values, by key, as the parameter set got them. */
  readonly values: Readonly<Record<string, string>>;
  /** The stage, for the provider's messages and description. */
  readonly stage: string;
}

let bundled: { readonly code: Uint8Array; readonly hash: string } | undefined;

/**
 * The provider's code: `private/deployed-config-handler` bundled by esbuild
 * with the lib modules it imports (the AWS SDK is the Lambda runtime's),
 * deterministically, read with this module's extension: the TypeScript
 * source in this repository, the compiled `.js` in the installed package.
 */
function deployedConfigHandlerCode(): { readonly code: Uint8Array; readonly hash: string } {
  if (bundled === undefined) {
    const here = fileURLToPath(import.meta.url);
    const result = buildSync({
      absWorkingDir: dirname(here),
      entryPoints: [join(dirname(here), 'private', `deployed-config-handler${extname(here)}`)],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: NODE_TARGET,
      // The runtime's SDK clients; the small utilities (util-dynamodb) are bundled, so nothing else is assumed of it.
      external: ['@aws-sdk/client-*'],
      minify: true,
      write: false,
      legalComments: 'none',
      logLevel: 'silent',
    });
    const [output] = result.outputFiles;
    if (output === undefined) throw new Error('esbuild wrote no deployed-config provider');
    bundled = { code: output.contents, hash: createHash('sha256').update(output.contents).digest('hex').slice(0, 16) };
  }
  return bundled;
}

/** The provider's code as an asset directory in the app's output directory. */
function providerCode(scope: Construct): Code {
  const { code, hash } = deployedConfigHandlerCode();
  const directory = join(assetOutdirOf(scope), `cnf-deployed-config-${hash}`);
  if (!existsSync(join(directory, 'index.js'))) {
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'index.js'), code);
  }
  return Code.fromAsset(directory);
}

/** A declared value as the resource's property: a digest when known at synth, else the deploy-time value itself. */
function declaredProperty(value: string): string {
  return Token.isUnresolved(value) ? value : `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;
}

/**
 * A deploy that changes declared parameters makes a config version, as
 * `config set` makes one. CloudFormation writes each declared plain value
 * as a new SSM parameter version; this custom resource, which depends on
 * them, then records `config#v<N>` (`cause` = `deploy`, by the stack) with
 * the new selectors and rewrites `_cnf/live` to switch at `from`, and answers
 * once `from` has passed. The aliases (and the release phase) depend on it,
 * so the new release goes live with its config, for web and admin together.
 * A deploy that changes no declared value leaves it alone; a stage without
 * `_cnf/live` yet (no config change ever made) is left as it is.
 *
 * The provider is bundled with esbuild at synth: it reuses the ledger item
 * and live-pair record layouts of `lib/core` rather than copy them.
 */
class DeployedConfig extends Construct {
  /** The provider: the bundled function that records the version. */
  readonly provider: LambdaFunction;
  /** The custom resource; what must see the deployed config depends on it. */
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: DeployedConfigProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const role = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Records config versions of the declared parameters of stage ${props.stage}`,
    });
    const logGroup = new LogGroup(this, 'ProviderLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    logGroup.grantWrite(role);
    const declared = Object.values(props.parameters.values);
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ssm:GetParameters'], resources: declared.map((parameter) => parameter.parameterArn) }),
    );
    const liveArn = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `${props.parameters.path}${LIVE_PAIR_KEY}`.slice(1),
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: [liveArn] }));
    const table = props.ledger.table.tableArn;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [table],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${CONFIG_ITEM_PREFIX}*`] } },
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [table],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [lockKey(STAGE_LOCK)] } },
      }),
    );
    this.provider = new LambdaFunction(this, 'Provider', {
      description: `cnf-admin config versions of ${props.stage}'s declared parameters`,
      runtime: RUNTIME,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: providerCode(this),
      role,
      memorySize: 256,
      // The lock wait (60 s), the switch (30 s) and a margin.
      timeout: Duration.minutes(3),
      logGroup,
      loggingFormat: LoggingFormat.JSON,
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.functionArn,
      resourceType: 'Custom::CnfDeployedConfig',
      serviceTimeout: Duration.minutes(5),
      properties: {
        ParameterPath: props.parameters.path,
        Stage: props.stage,
        TableName: props.ledger.tableName,
        Declared: Object.fromEntries(Object.entries(props.values).map(([key, value]) => [key, declaredProperty(value)])),
      },
    });
    this.resource.node.addDependency(props.parameters);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `The provider runs on ${LAMBDA_NODE_RUNTIME}, the runtime cnf-admin targets for every function it deploys.`,
    });
  }
}

export { DeployedConfig, deployedConfigHandlerCode };
export type { DeployedConfigProps };
