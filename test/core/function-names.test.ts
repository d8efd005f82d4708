import { describe, expect, it } from 'vitest';
import { stageFunctionName, stageFunctionNames } from '../../lib/core/function-names.js';

describe("a stage's function names", () => {
  it('are <app>-<stage>-web and <app>-<stage>-admin', () => {
    expect(stageFunctionNames('notes', 'prod')).toEqual({ web: 'notes-prod-web', admin: 'notes-prod-admin' });
    expect(stageFunctionName('notes', 'dev', 'admin')).toBe('notes-dev-admin');
  });
});
