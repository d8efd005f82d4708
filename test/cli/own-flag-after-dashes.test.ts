import { describe, expect, it } from 'vitest';
import { ownFlagAfterDashes } from '../../lib/cli/own-flag-after-dashes.js';

describe('ownFlagAfterDashes', () => {
  it("says that a flag of invoke's own, refused by the task, goes before --", () => {
    expect(ownFlagAfterDashes('fail', '--json')).toBe(
      '--json is a flag of invoke itself, and what follows -- goes to the task: give it before --, e.g. cnf-admin invoke fail --json -- …',
    );
    expect(ownFlagAfterDashes('fail', '--stage')).toContain('e.g. cnf-admin invoke fail --stage <name> -- …');
  });

  it("names run, not invoke, for a script's refusal", () => {
    expect(ownFlagAfterDashes('scripts/fix.ts', '--json')).toMatch(
      /^--json is a flag of run itself, .* e\.g\. cnf-admin run scripts\/fix\.ts --json -- …$/,
    );
  });

  it('says nothing of a flag that is not one of its own, or of a refusal that names no flag', () => {
    expect(ownFlagAfterDashes('fail', '--nope')).toBeUndefined();
    expect(ownFlagAfterDashes('fail', undefined)).toBeUndefined();
  });
});
