import { describe, expect, it } from 'vitest';
import { deployWorkingTreeFirst, shouldDeployWorkingTree, type WorkingTreeFacts } from '../../lib/cli/auto-deploy.js';
import type { StageContext } from '../../lib/cli/stage-context.js';
import type { Stage } from '../../lib/core/stage.js';

const LOCAL: Stage = { name: 'local', platform: 'local' };
const differs = async () => ({ differs: true, files: ['lambda/tasks/noop.ts'] });
const same = async () => ({ differs: false, files: [] });

function facts(overrides: Partial<WorkingTreeFacts> = {}): WorkingTreeFacts {
  return { stage: LOCAL, workingTree: differs, ...overrides };
}

describe('shouldDeployWorkingTree', () => {
  it('deploys on the local stage when the working tree differs from the live release', async () => {
    expect(await shouldDeployWorkingTree(facts())).toBe(true);
  });

  it('does not when the tree matches, or nothing is deployed yet (resolving deploys then)', async () => {
    expect(await shouldDeployWorkingTree(facts({ workingTree: same }))).toBe(false);
    expect(await shouldDeployWorkingTree(facts({ workingTree: async () => undefined }))).toBe(false);
  });

  it('does not for a pinned release, another alias pair, a dry run, an AWS stage or autoDeploy false, and then does not look at the tree', async () => {
    let looked = 0;
    const workingTree = async () => {
      looked += 1;
      return { differs: true, files: [] };
    };
    for (const overrides of [
      { release: 'r-0123456789ab' },
      { alias: 'canary' },
      { dryRun: true },
      { stage: { name: 'prod', platform: 'aws' } as const },
      { stage: { ...LOCAL, autoDeploy: false } },
    ]) {
      expect(await shouldDeployWorkingTree(facts({ ...overrides, workingTree }))).toBe(false);
    }
    expect(looked).toBe(0);
    expect(await shouldDeployWorkingTree(facts({ alias: 'live', stage: { ...LOCAL, autoDeploy: true }, workingTree }))).toBe(true);
  });
});

describe('deployWorkingTreeFirst on a stage a rollback holds', () => {
  /** A local stage rolled back to r-aaaaaaaaaaaa, whose working tree differs from it or not: what was noted, and whether it deployed. */
  async function heldStage(treeDiffers: boolean): Promise<{ notes: string[]; deployed: boolean }> {
    const notes: string[] = [];
    let deployed = false;
    const context = {
      project: { root: '/app' },
      stage: LOCAL,
      progress: { note: (message: string) => notes.push(message), start: () => ({ stop: () => undefined }) },
      platform: {
        localStage: {
          workingTree: async () => ({ differs: treeDiffers, files: treeDiffers ? ['lambda/tasks/noop.ts'] : [] }),
          rollbackPin: async () => ({
            release: 'r-aaaaaaaaaaaa',
            config: 2,
            restoredConfig: 2,
            runId: 'rb-1',
            since: '2026-12-05T07:00:00Z',
          }),
          deploy: async () => {
            deployed = true;
            throw new Error('a held stage is not deployed');
          },
        },
      },
    } as unknown as StageContext;
    await deployWorkingTreeFirst(context, {});
    return { notes, deployed };
  }

  it('deploys nothing, and says the working tree is not deployed when it differs from the release rolled back to', async () => {
    expect(await heldStage(true)).toEqual({
      notes: [
        'Stage local stays on r-aaaaaaaaaaaa (rolled back by run rb-1) until the next cnf-admin deploy; the working tree is not deployed.',
      ],
      deployed: false,
    });
  });

  it('says nothing when the working tree is the release rolled back to: nothing is held back', async () => {
    expect(await heldStage(false)).toEqual({ notes: [], deployed: false });
  });
});
