import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/core/config';
import { UsageError } from '../../core/errors.js';

/* Sections of the config file that are no profile (`[sso-session name]`, `[services name]`), as the SDK keys them. */
const NOT_A_PROFILE = /^(sso-session|services)\./;

/**
 * Refuses (64), before any AWS call, a profile named with `--profile` or
 * `AWS_PROFILE` that neither the AWS config file nor the credentials file
 * holds, as the AWS CLI does. Without this, the SDK reports only that it
 * found no credentials, or no region, and never the name that was wrong.
 * Nothing is read when no profile is named.
 *
 * @throws UsageError naming the profile, where it came from and the profiles there are.
 */
async function assertNamedProfileExists(profile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const named = profile ?? env.AWS_PROFILE;
  if (named === undefined || named === '') return;
  // The SDK's own loader, and its cache: the credentials and region that follow read the files no second time.
  const { configFile, credentialsFile } = await loadSharedConfigFiles();
  if (Object.hasOwn(configFile, named) || Object.hasOwn(credentialsFile, named)) return;
  const known = [...new Set([...Object.keys(configFile), ...Object.keys(credentialsFile)])].filter((name) => !NOT_A_PROFILE.test(name));
  const configPath = env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config');
  const credentialsPath = env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials');
  throw new UsageError(
    `There is no AWS profile "${named}" (from ${profile === undefined ? 'AWS_PROFILE' : '--profile'}) in ${configPath} or ${credentialsPath}.`,
    {
      hint:
        known.length === 0
          ? `Create it with: aws configure --profile ${named} (or aws configure sso), or leave out the profile to use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`
          : `The profiles there: ${known.sort().join(', ')}. Name one of them, or create this one with: aws configure --profile ${named}`,
    },
  );
}

export { assertNamedProfileExists };
