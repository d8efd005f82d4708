import type { AwsScenario } from '../../test/support/aws-scenario.js';
import { fakeAwsSettings, startFakeAws, type FakeAws } from '../../test/support/fake-aws-server.js';

/**
 * Runs `body` in this process with the AWS SDK pointed at a fake AWS serving
 * `scenario` on 127.0.0.1, `latencyMs` added to every call, plus `env`; the
 * process's environment is as it was afterwards, and the fake is closed.
 */
async function withFakeAws<T>(
  scenario: AwsScenario,
  latencyMs: number,
  env: Readonly<Record<string, string>>,
  body: (aws: FakeAws) => Promise<T>,
): Promise<T> {
  const aws = await startFakeAws(scenario, { latencyMs });
  const saved = { ...process.env };
  Object.assign(process.env, {
    ...fakeAwsSettings(aws.url),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...env,
  });
  try {
    return await body(aws);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await aws.close();
  }
}

export { withFakeAws };
