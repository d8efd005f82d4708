import { describe, expect, it } from 'vitest';
import { goneValuesProblem, mendGoneValues } from '../../lib/cli/gone-values.js';

describe('mendGoneValues', () => {
  it('names the command that sets each gone key again, --secure for a secret, with the stage', () => {
    const gone = [
      { key: 'API_TOKEN', secure: true, gone: { version: 3, config: 10 } },
      { key: 'GREETING', secure: false, gone: { version: 1, config: 10 } },
    ];
    expect(mendGoneValues(gone, 'prod')).toBe(
      'Set each again: cnf-admin config set API_TOKEN --secure --stage prod; cnf-admin config set GREETING --stage prod. Or go back to a config version whose values SSM still keeps: cnf-admin config rollback vN --stage prod (config history marks those RESTORABLE yes).',
    );
    // config list and config get say it in the same words
    expect(goneValuesProblem(gone, 'prod').hint).toBe(mendGoneValues(gone, 'prod'));
  });

  it('says to set each key the config names where the gone keys are not known', () => {
    expect(mendGoneValues([], 'prod')).toMatch(/^Set each key it names again: cnf-admin config set KEY --stage prod\. Or go back/);
  });
});
