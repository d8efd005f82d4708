/**
 * What `invoke --dry-run` shows of the args it checked: as the ledger keeps
 * them, a task's sensitive args and args under secret-looking names replaced.
 */
import { describe, expect, it } from 'vitest';
import type { InvokePlan, Platform } from '../../lib/core/platform.js';
import type { Project } from '../../lib/core/project.js';
import type { TaskCatalog } from '../../lib/core/task-catalog.js';
import { preflight } from '../../lib/cli/preflight.js';

const CATALOG: TaskCatalog = {
  tasks: [
    {
      name: 'login',
      description: 'Signs a user in',
      args: {
        type: 'object',
        properties: { user: { type: 'string' }, code: { type: 'string' }, apiToken: { type: 'string' }, attempts: { type: 'integer' } },
        required: ['user'],
        additionalProperties: false,
      },
      lock: false,
      sensitiveArgs: ['code'],
    },
  ],
  scripts: [],
} as unknown as TaskCatalog;

const PLAN = { stage: 'prod', release: 'r-aaaaaaaaaaaa' } as InvokePlan;
const AWS = { kind: 'aws', parameters: {} } as unknown as Platform;

describe('preflight of a dry run', () => {
  it('returns sensitive and secret-looking args replaced, from flags and from JSON alike', async () => {
    const event = {
      task: 'login',
      args: { apiToken: 'Token-Given-As-Json-41' },
      argv: ['--user', 'bob', '--code', 'Code-Given-As-Flag-42'],
      runId: 'r1',
      source: 'cli' as const,
    };
    const checked = await preflight(AWS, PLAN, event, false, {} as Project, CATALOG);
    expect(checked).toEqual({ ok: true, args: { user: 'bob', code: '[redacted: 21 characters]', apiToken: '[redacted]' } });
  });

  it('quotes no value that fails its type on an AWS stage, where the CLI cannot tell a secure value typed in the wrong place', async () => {
    const event = {
      task: 'login',
      args: {},
      argv: ['--user', 'bob', '--attempts', 'Secure-Value-Typed-43'],
      runId: 'r2',
      source: 'cli' as const,
    };
    const refused = preflight(AWS, PLAN, event, false, { root: '/nowhere' } as Project, CATALOG);
    await expect(refused).rejects.toThrow(/^--attempts takes an integer in decimal digits, got: \(not shown: it may be a secure value/);
    await expect(refused).rejects.not.toThrow(/Secure-Value-Typed-43/);
  });
});
