import { describe, expect, it } from 'vitest';
import {
  parameterPathOf,
  parseStageRecord,
  releaseDescription,
  releaseFromDescription,
  stageRecordName,
} from '../../lib/core/stage-record.js';

describe('stage record names', () => {
  it('lives under the reserved prefix of the parameter path', () => {
    expect(parameterPathOf('notes', 'prod')).toBe('/notes/prod/');
    expect(stageRecordName('notes', 'prod')).toBe('/notes/prod/_cnf/stage');
  });
});

describe('release descriptions', () => {
  it('round-trip a release id', () => {
    expect(releaseFromDescription(releaseDescription('r-0123456789ab'))).toBe('r-0123456789ab');
  });

  it('find nothing in other descriptions', () => {
    expect(releaseFromDescription('deployed by hand')).toBeUndefined();
    expect(releaseFromDescription(undefined)).toBeUndefined();
  });
});

describe('parseStageRecord', () => {
  const record = {
    version: 1,
    app: 'notes',
    stage: 'prod',
    region: 'eu-west-1',
    aliasName: 'live',
    parameterPath: '/notes/prod/',
    web: { functionName: 'notes-prod-web', logGroup: '/aws/lambda/notes-prod-web' },
    admin: { functionName: 'notes-prod-admin', logGroup: '/aws/lambda/notes-prod-admin', timeoutSeconds: 900 },
    ledgerTable: 'notes-prod-runs',
    console: false,
  };

  it('accepts a whole record, with or without container tasks', () => {
    expect(parseStageRecord(record)).toEqual({ ok: true, record });
    const container = {
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/notes-prod-admin',
      taskFamily: 'notes-prod-admin-r-0123456789ab',
      containerName: 'admin',
      subnets: ['subnet-a'],
      securityGroups: ['sg-a'],
      assignPublicIp: false,
      taskRole: 'arn:aws:iam::123456789012:role/task',
      executionRole: 'arn:aws:iam::123456789012:role/execution',
      tasks: [{ name: 'notes:backfill', timeLimitSeconds: 14460 }],
    };
    expect(parseStageRecord({ ...record, container })).toEqual({ ok: true, record: { ...record, container } });
  });

  it('names the damaged field and what it holds', () => {
    expect(parseStageRecord({ ...record, console: 'yes' })).toEqual({
      ok: false,
      problem: '"console": expected boolean, received string, got "yes"',
    });
    const partial = parseStageRecord({ ...record, container: { cluster: 'c' } });
    expect(partial.ok).toBe(false);
    expect(partial.ok ? '' : partial.problem).toMatch(/^"container\.taskFamily": expected string, received undefined, got nothing/);
    expect(parseStageRecord({ ...record, admin: { ...record.admin, timeoutSeconds: -1 } })).toMatchObject({ ok: false });
  });
});
