import { describe, expect, it } from 'vitest';
import {
  adminClusterName,
  functionLogGroupName,
  stageFunctionName,
  stageFunctionNames,
  stageStackName,
  taskFamilyOf,
  taskFamilyPrefix,
} from '../../lib/core/stage-names.js';

describe("a stage's function names", () => {
  it('are <app>-<stage>-web and <app>-<stage>-admin', () => {
    expect(stageFunctionNames('notes', 'prod')).toEqual({ web: 'notes-prod-web', admin: 'notes-prod-admin' });
    expect(stageFunctionName('notes', 'dev', 'admin')).toBe('notes-dev-admin');
  });
});

describe("a stage's other derived names", () => {
  it('name the stack, the log groups, the cluster and the task definition families', () => {
    expect(stageStackName('notes', 'prod')).toBe('notes-prod');
    expect(functionLogGroupName('notes-prod-admin')).toBe('/aws/lambda/notes-prod-admin');
    expect(adminClusterName('notes', 'prod')).toBe('notes-prod-admin');
    expect(taskFamilyOf('notes', 'prod', 'r-0123456789ab')).toBe('notes-prod-admin-r-0123456789ab');
    expect(taskFamilyOf('notes', 'prod', 'r-0123456789ab').startsWith(taskFamilyPrefix('notes', 'prod'))).toBe(true);
  });
});
