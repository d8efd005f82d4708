import { describe, expect, it } from 'vitest';
import { CONTAINER_RECORD, CONTAINER_TASK, containerScenario } from '../../support/aws-container-scenario.js';
import { OLD_RELEASE, RELEASE } from '../../support/aws-scenario.js';
import { fixturePlatform } from '../../support/aws-platform.js';
import { useAwsScenario } from '../../support/aws-test-scenario.js';

const given = useAwsScenario();

describe('AwsPlatform.status', () => {
  it('shows every alias pair with its releases and versions from the versions themselves, and the retained releases newest first', async () => {
    // given
    given({});

    // when
    const status = await fixturePlatform().status();

    // then
    expect(status.aliases).toEqual([{ name: 'live', web: { version: '7', release: RELEASE }, admin: { version: '5', release: RELEASE } }]);
    expect(status.releases).toEqual([
      { release: RELEASE, createdAt: '2026-11-20T10:00:00.000Z', webVersion: '7', adminVersion: '5' },
      { release: OLD_RELEASE, createdAt: '2026-11-01T10:00:00.000Z', webVersion: '6', adminVersion: '4' },
    ]);
    expect(status.notes.join('\n')).not.toMatch(/Drift/);
    // A stage whose record names no container tasks has none to show.
    expect(status.container).toBeUndefined();
  });

  it('names the container tasks the stage record names: which tasks, their time limits, the task definition and the cluster', async () => {
    // given
    given(containerScenario());

    // when
    const status = await fixturePlatform().status();

    // then
    expect(status.container).toEqual({
      cluster: CONTAINER_RECORD.cluster,
      taskDefinition: `fixture-prod-admin-${RELEASE}`,
      tasks: [{ name: CONTAINER_TASK, timeLimitSeconds: 4 * 3600 + 60 }],
    });
  });

  it("names the task definition of the release admin:live serves, a run's, after a rollback moved the pair off the deployed one", async () => {
    // given: the stage record is the deploy's of RELEASE; a rollback moved the live pair back to OLD_RELEASE
    given(
      containerScenario({
        aliases: { web: { live: { version: '6', release: OLD_RELEASE } }, admin: { live: { version: '4', release: OLD_RELEASE } } },
      }),
    );

    // when
    const status = await fixturePlatform().status();

    // then: the family a run of the live release starts (invoke --dry-run names it), not the deployed release's
    expect(status.aliases[0]?.admin.release).toBe(OLD_RELEASE);
    expect(status.container?.taskDefinition).toBe(`fixture-prod-admin-${OLD_RELEASE}`);
    // and the tasks it lists are the deployed release's, which it names: the live one's may be others
    expect(status.container?.tasks).toEqual([{ name: CONTAINER_TASK, timeLimitSeconds: 4 * 3600 + 60 }]);
    expect(status.container?.tasksOf).toBe(RELEASE);
  });

  it('shows canary weights and drift between web and admin', async () => {
    // given: web splits traffic; admin:live is on the old release
    given({
      aliases: {
        web: { live: { version: '7', release: RELEASE, weights: { '6': 0.2 } } },
        admin: { live: { version: '4', release: OLD_RELEASE } },
      },
    });

    // when
    const status = await fixturePlatform().status();

    // then
    expect(status.aliases[0]?.web.additionalVersions).toEqual([{ version: '6', weight: 0.2, release: OLD_RELEASE }]);
    expect(status.notes.join('\n')).toContain(`Drift: web:live serves ${RELEASE} but admin:live points at ${OLD_RELEASE}`);
  });
});
