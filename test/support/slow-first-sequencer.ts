/**
 * The order in which vitest starts test files (vitest.config.ts): its own
 * (the slowest first by the durations of the last run it remembers, the
 * largest first when it remembers none, as on a fresh clone), except that
 * the files named in {@link SLOW_FIRST} start first in their project. Several
 * end-to-end files run at once: a long file started last would run on alone
 * while the other workers stand idle.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that took 4 s or more in a fresh clone's run of 3c48ec8 (the
 * list `npm test` prints at its end shows the ten slowest), slowest first:
 * the longest file a worker takes up last is what the run waits on at its
 * end. Files of the unit and cdk projects start first in theirs the same way.
 */
const SLOW_FIRST = [
  'test/e2e/embedded-database.test.ts',
  'test/cli/aws-config-versions.e2e.test.ts',
  'test/e2e/run-outcomes.test.ts',
  'test/e2e/package-adoption.test.ts',
  'test/e2e/rollback-local.test.ts',
  'test/cli/aws-container-live.e2e.test.ts',
  'test/e2e/ui-local.test.ts',
  'test/e2e/damaged-state.test.ts',
  'test/e2e/console-and-scripts.test.ts',
  'test/e2e/secrets.test.ts',
  'test/e2e/locks.test.ts',
  'test/e2e/local-commands.test.ts',
  'test/e2e/interrupts.test.ts',
  'test/e2e/console-node-repl.test.ts',
  'test/e2e/bad-input.test.ts',
  'test/e2e/invoke-local.test.ts',
  'test/e2e/console-interrupts.test.ts',
  'test/e2e/lease-hiccup.test.ts',
  'test/e2e/notes-app.test.ts',
  'test/e2e/console-repl.test.ts',
  'test/e2e/project-settings.test.ts',
  'test/platform/aws/operator-policy.test.ts',
  'test/cli/aws-damaged-records.e2e.test.ts',
  'test/package/static-checks.e2e.test.ts',
  'test/bundle/build-bundle.test.ts',
  'test/cli/aws-container.e2e.test.ts',
  'test/e2e/run-ids.test.ts',
  'test/cli/progress.e2e.test.ts',
  'test/e2e/writing-a-task.test.ts',
  'test/e2e/ui-local-guards.test.ts',
  'test/e2e/standby-runner.test.ts',
  'test/construct/admin-app-bundling.test.ts',
  'test/construct/cdk-synth.test.ts',
  'test/e2e/user-typed-names.test.ts',
  'test/cli/aws-deploy-race.e2e.test.ts',
  'test/cli/aws-log-read-faults.e2e.test.ts',
  'test/cli/aws-invoke.e2e.test.ts',
  'test/construct/admin-app.test.ts',
  'test/e2e/ctrl-c-exit-codes.test.ts',
  'test/e2e/check-before-start.test.ts',
  'test/construct/container-tasks.test.ts',
  'test/runtime/admin-handler.test.ts',
  'test/e2e/faults-as-user.test.ts',
  'test/core/heartbeat-lease.test.ts',
  'test/e2e/rollback-schema.test.ts',
  'test/core/files/file-lock.test.ts',
  'test/e2e/terminal-messages.test.ts',
  'test/e2e/smaller-things.test.ts',
  'test/cli/commands/init.e2e.test.ts',
];

/** vitest's order, with the {@link SLOW_FIRST} files moved to the front of their project. */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = SLOW_FIRST.indexOf(relative(spec.project.config.root, spec.moduleId).split('\\').join('/'));
      return index === -1 ? SLOW_FIRST.length : index;
    };
    // vitest's order keeps each project's files together: reorder within each run of one project only.
    const runs: TestSpecification[][] = [];
    for (const spec of await super.sort(files)) {
      const last = runs.at(-1);
      if (last?.[0]?.project === spec.project) last.push(spec);
      else runs.push([spec]);
    }
    return runs
      .flatMap((run) => run.map((spec, index) => ({ spec, index })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.index - b.index))
      .map(({ spec }) => spec);
  }
}
