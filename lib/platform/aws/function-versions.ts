import { GetFunctionConfigurationCommand, ListVersionsByFunctionCommand, type LambdaClient } from './sdk/lambda.js';
import { releaseFromDescription } from '../../core/stage-record.js';
import { callAws } from './aws-errors.js';

/** A published version of a function, and the release it serves. */
interface FunctionVersion {
  readonly version: string;
  /** From the version's description, which the CDK construct stamps and Lambda never changes. */
  readonly release: string | undefined;
  /** ISO 8601: when the version was published. */
  readonly createdAt: string;
}

/**
 * Every published version of a function (not `$LATEST`), oldest first,
 * reading all pages of `ListVersionsByFunction`.
 */
async function listVersions(lambda: LambdaClient, functionName: string, stage: string): Promise<FunctionVersion[]> {
  const versions: FunctionVersion[] = [];
  let marker: string | undefined;
  do {
    const page = await callAws({ action: 'lambda:ListVersionsByFunction', resource: `function ${functionName}`, stage }, () =>
      lambda.send(new ListVersionsByFunctionCommand({ FunctionName: functionName, Marker: marker })),
    );
    for (const config of page.Versions ?? []) {
      if (config.Version === undefined || config.Version === '$LATEST') continue;
      versions.push({
        version: config.Version,
        release: releaseFromDescription(config.Description),
        createdAt: isoTime(config.LastModified),
      });
    }
    marker = page.NextMarker;
  } while (marker !== undefined);
  return versions.sort((a, b) => Number(a.version) - Number(b.version));
}

/** The release one version serves, from its own (immutable) description. */
async function releaseOfVersion(lambda: LambdaClient, functionName: string, version: string, stage: string): Promise<string | undefined> {
  const config = await callAws(
    { action: 'lambda:GetFunctionConfiguration', resource: `function ${functionName} version ${version}`, stage },
    () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: version })),
  );
  return releaseFromDescription(config.Description);
}

/** Lambda's `2026-11-24T14:39:27.000+0000` as ISO 8601. */
function isoTime(lastModified: string | undefined): string {
  const time = Date.parse((lastModified ?? '').replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(time) ? (lastModified ?? '') : new Date(time).toISOString();
}

export { listVersions, releaseOfVersion };
export type { FunctionVersion };
