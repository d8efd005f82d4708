import { defineConfig } from 'vitest/config';
import { WITHOUT_CDK_VALIDATION } from './test/support/cdk-validation.js';
import SlowFirstSequencer from './test/support/slow-first-sequencer.js';

/*
 * Three projects (docs/testing.md says which test goes where, and why they run
 * as they do):
 * - `unit`: in-process tests, a loop of seconds: npm test -- --project unit
 * - `cdk`: the constructs, synthesised with aws-cdk-lib (test/construct/**)
 * - `e2e`: tests that spawn the built binary, PostgreSQL, npm or cdk:
 *   test/e2e/** and every *.e2e.test.ts, plus the few slow files named here.
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
 * Every project synthesises with aws-cdk-lib's built-in CloudFormation
 * validation off (test/support/cdk-validation.ts): its engine takes two to
 * four processor-seconds to start in each process that synthesises, and
 * some 0.4 s per template (the cdk project took 27 s of processor time with
 * it, 11 s without; the unit project 31 s and 22 s; admin-app-bundling alone
 * 12.3 s and 5.0 s). test/construct/cdk-validation.test.ts turns it on for a
 * stage with every part the construct writes, and `npx cdk synth` of the
 * example app and of an adopted app runs it as a user's synth does.
 */
// Every file's temporary directories go when it is done, in every project (the file says why it is a setup file).
const TEMP_DIR_CLEANUP = 'test/support/temp-dir-cleanup.ts';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/slowest-files-reporter.ts'],
    // The slowest files start first, on a fresh clone too (test/support/slow-first-sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    /*
     * Three groups, one after the other (sequence.groupOrder): the construct
     * files two at a time, then the other in-process files six at a time,
     * then the end-to-end files four at a time. End-to-end files share no
     * state, and they spend much of their time waiting on the processes they
     * spawn: on an idle 2-core machine the whole suite took 569 s with one
     * at a time, 379 s with two and 357 s with three, where it is bound by the
     * processor; four then stretched timing-bound tests into retries. With
     * the suite's files on tmpfs (tools/test-tmpdir.mjs) and esbuild
     * collecting less, the processor idled 10% of a run at three: four took
     * 296 s against 311 s, idle 5%, and the e2e files alone on ext4 287 s
     * against 294 to 320 s, none failing (2026-12-06). Some unit
     * files wait on real timers too (leases, retries, timeouts), and the
     * slowest of them start first: at three at a time, the processor stood
     * idle for seconds while all three waited. Six at a time, the unit files
     * took 18 to 19.5 s against 22 s at three, 19 to 20 s at five and 20 to
     * 22 s at eight (2026-12-07; each worker imports the test support once,
     * so more cost more processor time); the
     * construct files, bound by the processor, stay at two (three loaded
     * aws-cdk-lib once more for no time gained). The files of every project
     * share their worker processes (isolate: false: aws-cdk-lib, the SDK and
     * the test support are imported once per process, not once per file):
     * with the cdk and e2e files, the suite went to 280 s; with the unit files
     * too, from 332 s to 259 s. Numbers and layout: docs/testing.md.
     */
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...E2E, ...CDK],
          maxWorkers: 6,
          env: WITHOUT_CDK_VALIDATION,
          // Dependencies load once per worker; each file gets lib/ afresh, and what it stubbed is put back after it.
          isolate: false,
          setupFiles: ['test/support/shared-worker-cleanup.ts', TEMP_DIR_CLEANUP],
          sequence: { groupOrder: 1 },
        },
      },
      // The construct tests read one build of the example app's bundle, made once per run.
      {
        extends: true,
        test: {
          name: 'cdk',
          include: CDK,
          exclude: E2E,
          globalSetup: ['test/construct/support/notes-bundle-setup.ts'],
          setupFiles: [TEMP_DIR_CLEANUP],
          env: WITHOUT_CDK_VALIDATION,
          maxWorkers: 2,
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      // End-to-end tests spawn the CLI, PostgreSQL and many Node processes: give them room. A test that
      // fails is run once more (and reported as retried): a few assert on timings that a loaded machine stretches.
      // Their projects start deployed: one deploy of each fixture per run, copied (test/support/deployed-fixtures-setup.ts).
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E,
          globalSetup: ['test/support/deployed-fixtures-setup.ts'],
          setupFiles: [TEMP_DIR_CLEANUP],
          env: WITHOUT_CDK_VALIDATION,
          retry: 1,
          maxWorkers: 4,
          isolate: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
