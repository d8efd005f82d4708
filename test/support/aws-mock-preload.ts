/**
 * Preloaded into a spawned `cnf-admin` (NODE_OPTIONS=--import) by the
 * end-to-end tests of AWS stages: it installs aws-sdk-client-mock mocks that
 * answer from the scenario in the file `CNF_TEST_AWS_SCENARIO`, so that the
 * real binary runs with AWS mocked at the SDK clients, and writes the
 * commands it was sent to `CNF_TEST_AWS_SENT` when the process exits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { installScenario, type AwsScenario } from './aws-scenario.js';

const scenarioFile = process.env.CNF_TEST_AWS_SCENARIO;
if (scenarioFile !== undefined) {
  const installed = installScenario(JSON.parse(readFileSync(scenarioFile, 'utf8')) as AwsScenario, { asProcess: true });
  const sentFile = process.env.CNF_TEST_AWS_SENT;
  if (sentFile !== undefined) {
    // Payloads are bytes: keep them readable as text.
    const replacer = (_key: string, value: unknown): unknown => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value);
    process.on('exit', () => writeFileSync(sentFile, JSON.stringify(installed.sent(), replacer)));
  }
}
