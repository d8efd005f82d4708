import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  type Parameter as SsmParameter,
  type SSMClient,
} from './sdk/ssm.js';
import { assertValidConfigKey, MASK, RESERVED_KEY_PREFIX, type Parameter } from '../../core/parameter-set.js';
import type { ParameterStore } from '../../core/platform.js';
import { isCnfError, retold, toldMore, UsageError } from '../../core/errors.js';
import { callAws, isNotFound, mayHaveLanded, translateAwsError } from './aws-errors.js';
import { withoutSecrets } from './secret-free-error.js';

/*
 * A failed PutParameter of `key`, told with what became of the value: not known where the request may have landed;
 * kept as it was, and what to mend, where SSM refused it (64).
 */
function putFailure(error: unknown, key: string): unknown {
  if (isCnfError(error) && mayHaveLanded(error.cause))
    return toldMore(error, `Whether SSM kept the new value of ${key} is not known.`, { cause: error.cause });
  if (error instanceof UsageError && error.hint === undefined)
    return retold(error, error.message, {
      hint: `SSM kept ${key} as it was. A Standard parameter holds at most 4 KB (4096 bytes of UTF-8): mend the value or the key that SSM names, and set it again.`,
    });
  return error;
}

/**
 * An AWS stage's parameter set: the SSM parameters under `/<app>/<stage>/`,
 * the reserved `_cnf/` below it left out and never written.
 *
 * Secure values are never decrypted: the CLI never prints them, so it never
 * needs them (nor `kms:Decrypt`). A SecureString reads back as masked, and is
 * written with the stage's customer managed key when its record names one.
 */
class SsmParameterStore implements ParameterStore {
  constructor(
    private readonly ssm: SSMClient,
    /** The parameter set's path, `/<app>/<stage>/`. */
    private readonly path: string,
    private readonly stage: string,
    /** The KMS key to write SecureStrings with; undefined: SSM's default, `aws/ssm`. Asked only when one is written. */
    private readonly secureKey: () => Promise<string | undefined>,
  ) {}

  async list(): Promise<Parameter[]> {
    const parameters: Parameter[] = [];
    let nextToken: string | undefined;
    do {
      const page = await callAws(this.#call('ssm:GetParametersByPath', `path ${this.path}`), () =>
        this.ssm.send(new GetParametersByPathCommand({ Path: this.path, Recursive: true, WithDecryption: false, NextToken: nextToken })),
      );
      for (const parameter of page.Parameters ?? []) {
        const read = this.#parameterOf(parameter);
        if (read !== undefined && !read.key.startsWith(RESERVED_KEY_PREFIX)) parameters.push(read);
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return parameters.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async get(key: string): Promise<Parameter | undefined> {
    assertValidConfigKey(key);
    try {
      const answer = await this.ssm.send(new GetParameterCommand({ Name: this.#name(key), WithDecryption: false }));
      return answer.Parameter === undefined ? undefined : this.#parameterOf(answer.Parameter);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw translateAwsError(error, this.#call('ssm:GetParameter', `parameter ${this.#name(key)}`));
    }
  }

  async set(key: string, value: string, options: { readonly secure: boolean }): Promise<void> {
    await this.put(key, value, options);
  }

  /**
   * Puts a value (a new SSM parameter version); resolves to that version's
   * number. A secure value's refusal is told without it: AWS may quote it.
   */
  async put(key: string, value: string, options: { readonly secure: boolean }): Promise<number | undefined> {
    assertValidConfigKey(key);
    const keyId = options.secure ? await this.secureKey() : undefined;
    try {
      const answer = await callAws(this.#call('ssm:PutParameter', `parameter ${this.#name(key)}`), () =>
        this.ssm.send(
          new PutParameterCommand({
            Name: this.#name(key),
            Value: value,
            Type: options.secure ? 'SecureString' : 'String',
            ...(keyId === undefined ? {} : { KeyId: keyId }),
            Overwrite: true,
          }),
        ),
      );
      return answer.Version;
    } catch (error) {
      const told = putFailure(error, key);
      throw options.secure ? withoutSecrets(told, [value]) : told;
    }
  }

  async unset(key: string): Promise<boolean> {
    assertValidConfigKey(key);
    try {
      await this.ssm.send(new DeleteParameterCommand({ Name: this.#name(key) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw translateAwsError(error, this.#call('ssm:DeleteParameter', `parameter ${this.#name(key)}`));
    }
  }

  #name(key: string): string {
    return `${this.path}${key}`;
  }

  #parameterOf(parameter: SsmParameter): Parameter | undefined {
    if (parameter.Name === undefined || !parameter.Name.startsWith(this.path)) return undefined;
    const secure = parameter.Type === 'SecureString';
    return { key: parameter.Name.slice(this.path.length), value: secure ? MASK : (parameter.Value ?? ''), secure };
  }

  #call(action: string, resource: string) {
    return { action, resource, stage: this.stage };
  }
}

export { SsmParameterStore };
