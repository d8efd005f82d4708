import { GetAliasCommand, ListAliasesCommand, type AliasConfiguration, type LambdaClient } from '@aws-sdk/client-lambda';
import { UnavailableError } from '../../core/errors.js';
import { releaseFromDescription } from '../../core/stage-record.js';
import { callAws, isNotFound, translateAwsError } from './aws-errors.js';

/** An alias of a function: the version it points at and the versions that take a share of its traffic. */
interface AliasState {
  readonly functionName: string;
  readonly name: string;
  readonly version: string;
  /** The release its description names (the CDK construct writes it). */
  readonly describedRelease: string | undefined;
  /** Canary versions and their weights (0..1), from `RoutingConfig.AdditionalVersionWeights`. */
  readonly weights: readonly { readonly version: string; readonly weight: number }[];
}

function aliasStateOf(functionName: string, alias: AliasConfiguration): AliasState {
  return {
    functionName,
    name: alias.Name ?? '',
    version: alias.FunctionVersion ?? '',
    describedRelease: releaseFromDescription(alias.Description),
    weights: Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).map(([version, weight]) => ({ version, weight })),
  };
}

/**
 * Reads one alias.
 *
 * @throws UnavailableError (exit 69) when the function or the alias does not exist.
 */
async function readAlias(lambda: LambdaClient, functionName: string, alias: string, stage: string): Promise<AliasState> {
  try {
    return aliasStateOf(functionName, await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: alias })));
  } catch (error) {
    if (!isNotFound(error))
      throw translateAwsError(error, { action: 'lambda:GetAlias', resource: `function ${functionName} alias ${alias}`, stage });
    throw new UnavailableError(`Function ${functionName} has no alias ${JSON.stringify(alias)} (or the function does not exist).`, {
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

export { listAliases, readAlias };
export type { AliasState };
