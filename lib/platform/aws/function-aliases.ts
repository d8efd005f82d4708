import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  ListAliasesCommand,
  type AliasConfiguration,
  type LambdaClient,
} from './sdk/lambda.js';
import { UnavailableError } from '../../core/errors.js';
import { releaseFromDescription } from '../../core/stage-record.js';
import { callAws, isNotFound, translateAwsError } from './aws-errors.js';

/** A function, or its alias, that Lambda does not have: a stage not deployed yet, or deployed without that alias. */
class MissingAliasError extends UnavailableError {}

/** An alias of a function: the version it points at and the versions that take a share of its traffic. */
interface AliasState {
  readonly functionName: string;
  readonly name: string;
  readonly version: string;
  /**
   * The release of the version the alias points at, from that version's own
   * description, which no later change can touch (an alias's description can
   * go stale: a rollback with `update-alias --function-version` keeps it).
   * Undefined when it could not be read in the same round trip.
   */
  readonly versionRelease: string | undefined;
  /** Canary versions and their weights (0..1), from `RoutingConfig.AdditionalVersionWeights`. */
  readonly weights: readonly { readonly version: string; readonly weight: number }[];
}

function aliasStateOf(functionName: string, alias: AliasConfiguration, versionRelease?: string): AliasState {
  return {
    functionName,
    name: alias.Name ?? '',
    version: alias.FunctionVersion ?? '',
    versionRelease,
    weights: Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).map(([version, weight]) => ({ version, weight })),
  };
}

/**
 * Reads one alias and, at the same time, the configuration of the version
 * it points at (`GetFunctionConfiguration` with the alias as qualifier), whose
 * description names the release: still one round trip.
 *
 * @throws MissingAliasError (exit 69) when the function or the alias does not exist.
 */
async function readAlias(lambda: LambdaClient, functionName: string, alias: string, stage: string): Promise<AliasState> {
  const [state, version] = await Promise.all([
    getAlias(lambda, functionName, alias, stage),
    // A missing alias is GetAlias's to report: here it only means there is no version to read.
    lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: alias })).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw translateAwsError(error, {
        action: 'lambda:GetFunctionConfiguration',
        resource: `function ${functionName} alias ${alias}`,
        stage,
      });
    }),
  ]);
  // The alias may have moved between the two reads: then the version is looked up on its own.
  const release = version?.Version === state.FunctionVersion ? releaseFromDescription(version?.Description) : undefined;
  return aliasStateOf(functionName, state, release);
}

/**
 * An alias as Lambda holds it (its version and routing), read with `GetAlias`.
 *
 * @throws MissingAliasError (exit 69) when the function or the alias does not exist.
 */
async function getAlias(lambda: LambdaClient, functionName: string, alias: string, stage: string): Promise<AliasConfiguration> {
  try {
    return await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: alias }));
  } catch (error) {
    if (!isNotFound(error))
      throw translateAwsError(error, { action: 'lambda:GetAlias', resource: `function ${functionName} alias ${alias}`, stage });
    throw new MissingAliasError(`Function ${functionName} has no alias ${JSON.stringify(alias)} (or the function does not exist).`, {
      hint: `See the stage's alias pairs with: cnf-admin status --stage ${stage}`,
      cause: error,
    });
  }
}

/** Every alias of a function, reading all pages of `ListAliases`. */
async function listAliases(lambda: LambdaClient, functionName: string, stage: string): Promise<AliasState[]> {
  const aliases: AliasState[] = [];
  let marker: string | undefined;
  do {
    const page = await callAws({ action: 'lambda:ListAliases', resource: `function ${functionName}`, stage }, () =>
      lambda.send(new ListAliasesCommand({ FunctionName: functionName, Marker: marker })),
    );
    aliases.push(...(page.Aliases ?? []).map((alias) => aliasStateOf(functionName, alias)));
    marker = page.NextMarker;
  } while (marker !== undefined);
  return aliases;
}

export { getAlias, listAliases, MissingAliasError, readAlias };
export type { AliasState };
