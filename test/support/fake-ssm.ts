/**
 * The SSM Parameter Store of the fake AWS endpoint, keeping parameter
 * versions as AWS does: each `PutParameter` (with `Overwrite`) makes a new
 * version; at most 100 are kept, the oldest dropped, unless it carries a
 * label, which blocks the write (`ParameterMaxVersionLimitExceeded`); at most
 * 10 labels per version, a label on one version of a parameter; values of at
 * most 4 KB (Standard) or 8 KB (Advanced); `GetParameters` takes at most 10
 * names, each a name or a `name:version` selector.
 */

/** One kept version of a parameter. */
interface SsmVersion {
  readonly Version: number;
  readonly Value: string;
  readonly Type: string;
  readonly Tier: string;
  Labels: string[];
  readonly LastModifiedDate: number;
}

/** What an SSM operation answers: a body, or an error by name. */
type SsmAnswer = { readonly body: unknown } | { readonly error: string; readonly message: string };

/** SSM keeps this many versions of a parameter. */
const KEPT_VERSIONS = 100;
/** Labels per parameter version. */
const LABELS_PER_VERSION = 10;
/** GetParameters takes at most this many names. */
const NAMES_PER_GET = 10;
const MAX_VALUE = { Standard: 4096, Advanced: 8192 } as const;

/** An in-memory Parameter Store. */
class FakeSsm {
  readonly #parameters = new Map<string, SsmVersion[]>();

  /** @param now - SSM's clock (ms since the epoch), which stamps each version's `LastModifiedDate` */
  constructor(private readonly now: () => number = Date.now) {}

  /** Puts a value directly (a test's setup), as `PutParameter` with `Overwrite` would. */
  put(name: string, value: string, type = 'String'): number {
    const answer = this.handle('PutParameter', { Name: name, Value: value, Type: type, Overwrite: true });
    if ('error' in answer) throw new Error(`${answer.error}: ${answer.message}`);
    return (answer.body as { Version: number }).Version;
  }

  /** The versions kept of a parameter, oldest first. */
  versions(name: string): readonly SsmVersion[] {
    return this.#parameters.get(name) ?? [];
  }

  /** Answers one SSM operation, or undefined when this fake does not serve it. */
  handle(operation: string, input: Record<string, unknown>): SsmAnswer {
    switch (operation) {
      case 'PutParameter':
        return this.#put(input);
      case 'GetParameter': {
        const found = this.#select(String(input.Name));
        return 'error' in found ? found : { body: { Parameter: found.parameter } };
      }
      case 'GetParameters': {
        const names = (input.Names as string[] | undefined) ?? [];
        if (names.length > NAMES_PER_GET)
          return error(
            'ValidationException',
            `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to ${NAMES_PER_GET}`,
          );
        const Parameters: unknown[] = [];
        const InvalidParameters: string[] = [];
        for (const name of names) {
          const found = this.#select(name);
          if ('error' in found) InvalidParameters.push(name);
          else Parameters.push(found.parameter);
        }
        return { body: { Parameters, InvalidParameters } };
      }
      case 'GetParametersByPath': {
        const path = String(input.Path);
        const prefix = path.endsWith('/') ? path : `${path}/`;
        const recursive = input.Recursive === true;
        const names = [...this.#parameters.keys()]
          .filter((name) => name.startsWith(prefix) && (recursive || !name.slice(prefix.length).includes('/')))
          .sort();
        const start = Number(input.NextToken ?? 0);
        const size = Number(input.MaxResults ?? 10);
        const page = names.slice(start, start + size).map((name) => parameterOf(name, this.#parameters.get(name)?.at(-1) as SsmVersion));
        return { body: { Parameters: page, ...(start + size < names.length ? { NextToken: String(start + size) } : {}) } };
      }
      case 'GetParameterHistory': {
        const name = String(input.Name);
        const versions = this.#parameters.get(name);
        if (versions === undefined) return error('ParameterNotFound', name);
        const start = Number(input.NextToken ?? 0);
        const size = Number(input.MaxResults ?? 50);
        const page = versions.slice(start, start + size).map((version) => ({ ...parameterOf(name, version), Labels: version.Labels }));
        return { body: { Parameters: page, ...(start + size < versions.length ? { NextToken: String(start + size) } : {}) } };
      }
      case 'DeleteParameter': {
        const name = String(input.Name);
        if (!this.#parameters.delete(name)) return error('ParameterNotFound', name);
        return { body: {} };
      }
      case 'LabelParameterVersion':
        return this.#label(input);
      default:
        return error('InvalidAction', `The fake SSM does not serve ${operation}`);
    }
  }

  #put(input: Record<string, unknown>): SsmAnswer {
    const name = String(input.Name);
    const value = String(input.Value ?? '');
    // Intelligent-Tiering makes a value past the Standard limit an Advanced parameter, as SSM does.
    const tier =
      input.Tier === 'Advanced' || (input.Tier === 'Intelligent-Tiering' && Buffer.byteLength(value) > MAX_VALUE.Standard)
        ? 'Advanced'
        : 'Standard';
    if (Buffer.byteLength(value) > MAX_VALUE[tier])
      return error('ValidationException', `${tier} tier parameters support a maximum parameter value of ${MAX_VALUE[tier]} characters.`);
    const versions = this.#parameters.get(name) ?? [];
    if (versions.length > 0 && input.Overwrite !== true) return error('ParameterAlreadyExists', `The parameter ${name} already exists.`);
    if (versions.length >= KEPT_VERSIONS) {
      const oldest = versions[0] as SsmVersion;
      if (oldest.Labels.length > 0)
        return error(
          'ParameterMaxVersionLimitExceeded',
          `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.Version}, the oldest version, can't be deleted because it has a label associated with it.`,
        );
      versions.shift();
    }
    const Version = (versions.at(-1)?.Version ?? 0) + 1;
    const type = String(input.Type ?? versions.at(-1)?.Type ?? 'String');
    versions.push({ Version, Value: value, Type: type, Tier: tier, Labels: [], LastModifiedDate: this.now() / 1000 });
    this.#parameters.set(name, versions);
    return { body: { Version, Tier: tier } };
  }

  #label(input: Record<string, unknown>): SsmAnswer {
    const name = String(input.Name);
    const versions = this.#parameters.get(name);
    if (versions === undefined) return error('ParameterNotFound', name);
    const target =
      input.ParameterVersion === undefined
        ? versions.at(-1)
        : versions.find((version) => version.Version === Number(input.ParameterVersion));
    if (target === undefined) return error('ParameterVersionNotFound', `${name}:${String(input.ParameterVersion)}`);
    const labels = (input.Labels as string[] | undefined) ?? [];
    if (new Set([...target.Labels, ...labels]).size > LABELS_PER_VERSION)
      return error('ParameterVersionLabelLimitExceeded', `A parameter version can have maximum ${LABELS_PER_VERSION} labels.`);
    // A label sits on one version of a parameter: moving it detaches it from the other.
    for (const version of versions) if (version !== target) version.Labels = version.Labels.filter((label) => !labels.includes(label));
    target.Labels = [...new Set([...target.Labels, ...labels])];
    return { body: { InvalidLabels: [], ParameterVersion: target.Version } };
  }

  /** A parameter by name or by `name:version` / `name:label` selector. */
  #select(selector: string): { parameter: unknown } | { error: string; message: string } {
    const [, name = selector, qualifier] = /^(.*?)(?::([^/:]+))?$/.exec(selector) ?? [];
    const versions = this.#parameters.get(name);
    if (versions === undefined) return error('ParameterNotFound', selector);
    if (qualifier === undefined) return { parameter: parameterOf(name, versions.at(-1) as SsmVersion) };
    const version = /^\d+$/.test(qualifier)
      ? versions.find((candidate) => candidate.Version === Number(qualifier))
      : versions.find((candidate) => candidate.Labels.includes(qualifier));
    if (version === undefined) return error('ParameterVersionNotFound', selector);
    return { parameter: { ...parameterOf(name, version), Selector: `:${qualifier}` } };
  }
}

function parameterOf(name: string, version: SsmVersion): Record<string, unknown> {
  return { Name: name, Type: version.Type, Value: version.Value, Version: version.Version, LastModifiedDate: version.LastModifiedDate };
}

function error(name: string, message: string): { error: string; message: string } {
  return { error: name, message };
}

export { FakeSsm, KEPT_VERSIONS };
export type { SsmAnswer, SsmVersion };
