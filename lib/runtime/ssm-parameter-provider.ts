import type { Parameter as SsmParameter } from '@aws-sdk/client-ssm';
import { GetParametersByPathCommand, GetParametersCommand, SSMClient } from './vendor/ssm.js';
import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { LIVE_PAIR_KEY } from '../core/live-pair-record.js';
import { SelectorsGoneError } from './selectors-gone-error.js';
import { RESERVED_KEY_PREFIX } from '../core/parameter-set.js';

/** A parameter value together with whether it is a SecureString. */
interface TypedValue {
  readonly value: string;
  readonly secure: boolean;
  /** The SSM parameter version the value is (on AWS). */
  readonly version?: number;
}

/** GetParameters takes at most this many names. */
const NAMES_PER_GET = 10;

/**
 * Reads a parameter path from SSM: recursive, decrypted and paginated, with
 * Powertools' cache in front.
 *
 * Powertools' own SSMProvider returns values only; this provider keeps each
 * parameter's type, so that the values of SecureStrings can be kept out of
 * every log line.
 */
class SsmParameterProvider extends BaseProvider {
  /** Parameter versions read by selector: immutable, so kept for the container's life. */
  readonly #selected = new Map<string, TypedValue>();

  constructor(client?: SSMClient) {
    super(client === undefined ? { awsSdkV3ClientPrototype: SSMClient as never } : { awsSdkV3Client: client });
  }

  protected override _get(name: string): Promise<never> {
    return Promise.reject(new Error(`SsmParameterProvider reads whole paths only, not ${name}`));
  }

  /**
   * Parameter versions by `name:version` selector, 10 per `GetParameters`
   * call, the calls in parallel. A selected version never changes, so each is
   * read once per container.
   *
   * @throws SelectorsGoneError naming the selectors SSM no longer holds (fallen out of its 100 versions).
   */
  async getSelected(selectors: readonly string[]): Promise<Record<string, TypedValue>> {
    const wanted = selectors.filter((selector) => !this.#selected.has(selector));
    const chunks: string[][] = [];
    for (let start = 0; start < wanted.length; start += NAMES_PER_GET) chunks.push(wanted.slice(start, start + NAMES_PER_GET));
    const client = this.client as SSMClient;
    const answers = await Promise.all(chunks.map((Names) => client.send(new GetParametersCommand({ Names, WithDecryption: true }))));
    const missing = answers.flatMap((answer) => answer.InvalidParameters ?? []);
    if (missing.length > 0) throw new SelectorsGoneError(missing);
    for (const parameter of answers.flatMap((answer) => answer.Parameters ?? [])) {
      if (parameter.Name === undefined || parameter.Value === undefined) continue;
      this.#selected.set(`${parameter.Name}:${parameter.Version}`, {
        value: parameter.Value,
        secure: parameter.Type === 'SecureString',
        ...(parameter.Version === undefined ? {} : { version: parameter.Version }),
      });
    }
    return Object.fromEntries(selectors.map((selector) => [selector, this.#selected.get(selector) as TypedValue]));
  }

  /** Every parameter below `path`, keyed by its name relative to `path`, reserved keys left out but the live-pair record. */
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
  if (key.startsWith(RESERVED_KEY_PREFIX) && key !== LIVE_PAIR_KEY) return;
  values[key] = {
    value: parameter.Value,
    secure: parameter.Type === 'SecureString',
    ...(parameter.Version === undefined ? {} : { version: parameter.Version }),
  };
}

export { SsmParameterProvider };
export type { TypedValue };
