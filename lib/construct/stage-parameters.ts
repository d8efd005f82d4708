import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { ParameterTier, StringParameter, type IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct, type IConstruct } from 'constructs';
import { assertValidConfigKey } from '../core/parameter-set.js';
import { parameterPathOf } from '../core/stage-record.js';
import { ConstructValidationError } from './errors.js';

/** Props of {@link StageParameters}. */
interface StageParametersProps {
  /** The app name, the first segment of the path. */
  readonly app: string;
  /** The stage, the second segment of the path. */
  readonly stage: string;
  /**
   * Plain config values, by key: each becomes an SSM String parameter at
   * `/<app>/<stage>/<key>`, deployed with the stack.
   *
   * @default - no plain values
   */
  readonly values?: Readonly<Record<string, string>>;
  /**
   * Keys of secret values: SSM SecureString parameters that the stack expects
   * under the path but does not create (CloudFormation cannot create a
   * SecureString). Set each one with `cnf-admin config set <KEY> <value>
   * --secure --stage <stage>`.
   *
   * @default - no secure values
   */
  readonly secureKeys?: readonly string[];
  /**
   * The KMS key the SecureStrings are encrypted with; readers may decrypt with it.
   *
   * @default - the AWS managed key `aws/ssm`, which needs no grant
   */
  readonly encryptionKey?: IKey;
}

/**
 * A stage's parameter set: everything under the SSM path `/<app>/<stage>/`,
 * which web and admin read with the same loader.
 *
 * Keys under `_cnf/` are reserved for cnf-admin (the stage record lives at
 * `_cnf/stage`).
 */
class StageParameters extends Construct {
  /** The path of the set, `/<app>/<stage>/`. */
  readonly path: string;
  /** The plain parameters this stack creates, by key. */
  readonly values: Readonly<Record<string, StringParameter>>;
  /** References to the secure parameters the stack expects, by key. */
  readonly secrets: Readonly<Record<string, IStringParameter>>;
  /** The KMS key of the SecureStrings, when not the AWS managed `aws/ssm`. */
  readonly encryptionKey: IKey | undefined;
  readonly #pathName: string;

  constructor(scope: Construct, id: string, props: StageParametersProps) {
    super(scope, id);
    this.path = parameterPathOf(props.app, props.stage);
    this.#pathName = `${props.app}/${props.stage}`;
    this.encryptionKey = props.encryptionKey;
    const values = props.values ?? {};
    const secureKeys = props.secureKeys ?? [];
    for (const key of Object.keys(values)) checkKey(this, key, 'parameters');
    for (const key of secureKeys) {
      checkKey(this, key, 'secureParameters');
      if (key in values) {
        throw new ConstructValidationError(
          this,
          `Config key ${JSON.stringify(key)} is in both parameters and secureParameters; a key is either plain or secure.`,
        );
      }
    }
    this.values = Object.fromEntries(
      Object.entries(values).map(([key, value]) => {
        if (!Token.isUnresolved(value) && (typeof value !== 'string' || value === '' || value.length > 4096)) {
          throw new ConstructValidationError(
            this,
            `parameters.${key} must be 1 to 4096 characters (an SSM standard parameter), got: ${JSON.stringify(value)?.slice(0, 80)}`,
          );
        }
        const parameter = new StringParameter(this, constructIdOf(key), {
          parameterName: `${this.path}${key}`,
          stringValue: value,
          tier: ParameterTier.STANDARD,
          description: `Config ${key} of ${props.app} ${props.stage} (cnf-admin)`,
        });
        return [key, parameter];
      }),
    );
    this.secrets = Object.fromEntries(
      secureKeys.map((key) => [
        key,
        StringParameter.fromSecureStringParameterAttributes(this, constructIdOf(key), {
          parameterName: `${this.path}${key}`,
          ...(props.encryptionKey === undefined ? {} : { encryptionKey: props.encryptionKey }),
        }),
      ]),
    );
  }

  /**
   * Lets `grantee` read the whole set, as the config loader does: by path
   * (`ssm:GetParametersByPath`) and one by one (`ssm:GetParameter(s)`), and
   * decrypt with the set's KMS key (only through SSM) when it has one.
   * Nothing outside the path.
   */
  grantRead(grantee: IGrantable): Grant {
    const stack = Stack.of(this);
    const pathArn = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: this.#pathName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // GetParametersByPath is authorised against the path the caller sends (`/<app>/<stage>/`).
    const byPath = Grant.addToPrincipal({ grantee, actions: ['ssm:GetParametersByPath'], resourceArns: [pathArn, `${pathArn}/*`] });
    const each = Grant.addToPrincipal({ grantee, actions: ['ssm:GetParameter', 'ssm:GetParameters'], resourceArns: [`${pathArn}/*`] });
    const grant = byPath.combine(each);
    if (this.encryptionKey === undefined) return grant;
    return grant.combine(
      Grant.addToPrincipal({
        grantee,
        actions: ['kms:Decrypt'],
        resourceArns: [this.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `ssm.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
  }
}

/** Checks a key from props, naming the prop in the error. */
function checkKey(scope: IConstruct, key: string, prop: string): void {
  try {
    assertValidConfigKey(key);
  } catch (error) {
    throw new ConstructValidationError(scope, `${prop}: ${(error as Error).message}`, { cause: error });
  }
}

/** Construct ids may not hold `/`; keys never hold `:`, so the mapping is one to one. */
function constructIdOf(key: string): string {
  return key.replaceAll('/', ':');
}

export { StageParameters };
export type { StageParametersProps };
