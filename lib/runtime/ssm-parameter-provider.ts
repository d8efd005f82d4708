import { GetParametersByPathCommand, SSMClient, type Parameter as SsmParameter } from '@aws-sdk/client-ssm';
import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { RESERVED_KEY_PREFIX } from '../core/parameter-set.js';

/** A parameter value together with whether it is a SecureString. */
interface TypedValue {
  readonly value: string;
  readonly secure: boolean;
}

/**
 * Reads a parameter path from SSM: recursive, decrypted and paginated, with
 * Powertools' cache in front.
 *
 * Powertools' own SSMProvider returns values only; this provider keeps each
 * parameter's type, so that the values of SecureStrings can be kept out of
 * every log line.
 */
class SsmParameterProvider extends BaseProvider {
  constructor(client?: SSMClient) {
    super(client === undefined ? { awsSdkV3ClientPrototype: SSMClient as never } : { awsSdkV3Client: client });
  }

  protected override _get(name: string): Promise<never> {
    return Promise.reject(new Error(`SsmParameterProvider reads whole paths only, not ${name}`));
  }

  /** Every parameter below `path`, keyed by its name relative to `path`, reserved keys left out. */
  protected override async _getMultiple(path: string): Promise<Record<string, TypedValue>> {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const client = this.client as SSMClient;
    const values: Record<string, TypedValue> = {};
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetParametersByPathCommand({ Path: prefix, Recursive: true, WithDecryption: true, NextToken: nextToken }),
      );
      for (const parameter of page.Parameters ?? []) addParameter(values, prefix, parameter);
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return values;
  }
}

function addParameter(values: Record<string, TypedValue>, prefix: string, parameter: SsmParameter): void {
  if (parameter.Name === undefined || parameter.Value === undefined) return;
  const key = parameter.Name.slice(prefix.length);
  if (key.startsWith(RESERVED_KEY_PREFIX)) return;
  values[key] = { value: parameter.Value, secure: parameter.Type === 'SecureString' };
}

export { SsmParameterProvider };
export type { TypedValue };
