import { loadProject, stageOf } from '../../lib/core/project.js';
import { AwsPlatform, type AwsTiming } from '../../lib/platform/aws/aws-platform.js';
import { REPO_ROOT } from './cli.js';
import { join } from 'node:path';

/** The tasks fixture, whose `prod` stage is on AWS: app `fixture`. */
const FIXTURE_ROOT = join(REPO_ROOT, 'test', 'fixtures', 'tasks-app');

/** Timing for tests: no real waits. */
const FAST_TIMING: AwsTiming = { pollMs: 5, settleMs: 200, throttleDelaysMs: [1, 1, 1] };

/** The AWS platform of the fixture's prod stage, in eu-west-1, with fast timing. */
function fixturePlatform(timing: Partial<AwsTiming> = {}): AwsPlatform {
  const project = loadProject(FIXTURE_ROOT);
  return new AwsPlatform(project, stageOf(project, 'prod'), { region: 'eu-west-1', timing: { ...FAST_TIMING, ...timing } });
}

export { FAST_TIMING, FIXTURE_ROOT, fixturePlatform };
