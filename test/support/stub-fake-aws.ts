import { vi } from 'vitest';
import { fakeAwsSettings } from './fake-aws-server.js';

/**
 * Points this process's AWS SDK clients at a fake AWS listening at `url`
 * (`fakeAwsSettings`), with `extra` variables beside: `vi.stubEnv`, undone
 * with `vi.unstubAllEnvs()`.
 */
function stubFakeAwsEnvironment(url: string, extra: Readonly<Record<string, string>> = {}): void {
  for (const [name, value] of Object.entries({ ...fakeAwsSettings(url), ...extra })) vi.stubEnv(name, value);
}

export { stubFakeAwsEnvironment };
