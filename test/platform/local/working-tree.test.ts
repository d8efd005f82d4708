import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, stampSources } from '../../../lib/bundle/source-fingerprint.js';
import type { Project } from '../../../lib/core/project.js';
import type { StoredRelease } from '../../../lib/platform/local/release-store.js';
import { workingTreeDifference } from '../../../lib/platform/local/working-tree.js';
import { tempDir } from '../../support/temp-dir.js';

function projectTree(): Project {
  const root = tempDir('cnf-working-tree');
  mkdirSync(join(root, 'lambda'));
  writeFileSync(join(root, 'lambda', 'admin.ts'), 'export {}');
  writeFileSync(join(root, 'package-lock.json'), '{"v":1}');
  writeFileSync(join(root, 'cdk.json'), '{"context":{"cnf":{"app":"notes"}}}');
  return {
    root,
    stateDir: join(root, '.cnf'),
    lambdaDir: join(root, 'lambda'),
    scriptsDir: join(root, 'scripts'),
    assetDirs: [],
  } as unknown as Project;
}

const INPUTS = ['lambda/admin.ts', 'node_modules/pg/lib/index.js'];

function record(project: Project, recorded: 'stamps' | 'inputs' | 'neither'): StoredRelease {
  const sources = stampSources(project.root, INPUTS);
  return {
    release: 'r-0123456789ab',
    createdAt: '2026-12-03T06:00:00.000Z',
    sourceFingerprint: fingerprintOf(sources),
    catalog: { tasks: [], scripts: [] },
    ...(recorded === 'stamps' ? { sources } : recorded === 'inputs' ? { inputs: INPUTS } : {}),
  };
}

describe('workingTreeDifference', () => {
  it.each(['stamps', 'inputs'] as const)('tells an unchanged tree from a changed one by a record with its %s', (recorded) => {
    const project = projectTree();
    const stored = record(project, recorded);
    expect(workingTreeDifference(project, stored).differs).toBe(false);
    writeFileSync(join(project.root, 'lambda', 'admin.ts'), 'export const changed = 1;');
    expect(workingTreeDifference(project, stored).differs).toBe(true);
  });

  it('names cdk.json when its settings changed: the entries and directories the bundle is built from', () => {
    const project = projectTree();
    const stored = record(project, 'stamps');
    writeFileSync(join(project.root, 'cdk.json'), '{"context":{"cnf":{"app":"notes","assetDirs":["seeds"]}}}');
    expect(workingTreeDifference(project, stored)).toEqual({ differs: true, files: ['cdk.json'] });
  });

  it('counts no change of cdk.json that builds the same bundle: a stage setting, of another size', () => {
    const project = projectTree();
    const stored = record(project, 'stamps');
    writeFileSync(join(project.root, 'cdk.json'), '{"context":{"cnf":{"app":"notes","stages":{"local":{"autoDeploy":false}}}}}');
    expect(workingTreeDifference(project, stored)).toEqual({ differs: false, files: [] });
  });

  it('names cdk.json as changed to a record whose stamps leave it out, as an older cnf-admin stored them', () => {
    const project = projectTree();
    const { 'cdk.json': _left, ...older } = stampSources(project.root, INPUTS);
    const stored = { ...record(project, 'stamps'), sources: older };
    expect(workingTreeDifference(project, stored)).toEqual({ differs: true, files: ['cdk.json'] });
  });

  it('counts the tree as different from a record that names neither its stamps nor its inputs', () => {
    const project = projectTree();
    expect(workingTreeDifference(project, record(project, 'neither'))).toEqual({ differs: true, files: [] });
  });
});
