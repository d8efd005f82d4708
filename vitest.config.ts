import { defineConfig } from 'vitest/config';

/*
 * Four projects (docs/testing.md says which test goes where, and why they run
 * in this order):
 * - `unit`: in-process tests, a loop of seconds: npm test -- --project unit
 * - `cdk`: the constructs, synthesised with aws-cdk-lib (test/construct/**)
 * - `e2e`: tests that spawn the built binary, PostgreSQL, npm or cdk:
 *   test/e2e/** and every *.e2e.test.ts, plus the few slow files named here.
 * - `e2e-timed`: the end-to-end files that assert on timings or drive a
 *   terminal (interrupts, consoles, locks, lease renewals, tmux): one at a time.
 * `npm test -- --project 'e2e*'` runs both end-to-end projects.
 */
const E2E = [
  'test/e2e/**/*.test.ts',
  'test/**/*.e2e.test.ts',
  'test/package/tarball.test.ts',
  'test/construct/cdk-synth.test.ts',
  'test/construct/admin-app-bundling.test.ts',
  'test/bundle/build-bundle.test.ts',
  'test/package/runtime-docs.test.ts',
  'test/platform/aws/endpoint-url.test.ts',
  'test/platform/aws/aws-clients.test.ts',
];
const CDK = ['test/construct/**/*.test.ts'];
/*
 * End-to-end files that measure time (a Ctrl-C answered within seconds, a
 * lease renewed before it lapses) or read a tmux screen: on two cores, a
 * second file beside them stretches those times, so they run alone.
 */
const TIMED = [
  'test/e2e/console-interrupts.test.ts',
  'test/e2e/console-node-repl.test.ts',
  'test/e2e/console-repl.test.ts',
  'test/e2e/interrupts.test.ts',
  'test/e2e/ctrl-c-exit-codes.test.ts',
  'test/e2e/invoke-local.test.ts',
  'test/e2e/lease-hiccup.test.ts',
  'test/e2e/locks.test.ts',
  'test/e2e/run-outcomes.test.ts',
  'test/e2e/aws-endpoint-faults.test.ts',
  'test/e2e/terminal-messages.test.ts',
  'test/e2e/secrets.test.ts',
  'test/cli/progress.e2e.test.ts',
  'test/cli/aws-console.e2e.test.ts',
];

export default defineConfig({
  test: {
    reporters: ['default', './test/support/slowest-files-reporter.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    /*
     * Three groups, one after the other (sequence.groupOrder); projects of one
     * group share its number of workers. Two workers on two cores where files
     * only compete for the processor; one where a file measures time.
     */
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...E2E, ...CDK], maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'cdk', include: CDK, exclude: E2E, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      // End-to-end tests spawn the CLI, PostgreSQL and many Node processes: give them room. A test that
      // fails is run once more (and reported as retried): a few assert on timings that a loaded machine stretches.
      { extends: true, test: { name: 'e2e', include: E2E, exclude: TIMED, retry: 1, maxWorkers: 2, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'e2e-timed', include: TIMED, retry: 1, maxWorkers: 1, sequence: { groupOrder: 2 } } },
    ],
  },
});
