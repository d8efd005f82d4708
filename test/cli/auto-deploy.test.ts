import { describe, expect, it } from 'vitest';
import { shouldDeployWorkingTree, type WorkingTreeFacts } from '../../lib/cli/auto-deploy.js';
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
