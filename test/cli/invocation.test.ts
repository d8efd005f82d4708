import { describe, expect, it } from 'vitest';
import { invocationOf } from '../../lib/core/invocation-name.js';
import { asInvoked } from '../../lib/cli/invocation.js';

const NPX = { npm_command: 'exec' };

describe('asInvoked', () => {
  it('writes the commands a message suggests as the user runs cnf-admin', () => {
    // given a message naming commands in the ways messages do
    const message = 'Deploy the tree with: cnf-admin deploy --stage local (cnf-admin db status); `cnf-admin runs` lists them.';

    // when / then
    expect(asInvoked(message, NPX)).toBe(
      'Deploy the tree with: npx cnf-admin deploy --stage local (npx cnf-admin db status); `npx cnf-admin runs` lists them.',
    );
    expect(asInvoked(message, {})).toBe(message);
    expect(asInvoked('Usage: cnf-admin [options] [command]', NPX)).toBe('Usage: npx cnf-admin [options] [command]');
  });

  it("leaves the tool's name in a sentence, and a command already written with npx, as they are", () => {
    const message = 'cnf-admin failed during run r1; cnf-admin projects need "module"; run npx cnf-admin logs r1.';
    expect(asInvoked(message, NPX)).toBe(message);
  });

  it('knows npm started it from npx or from a package.json script', () => {
    expect(invocationOf({ npm_command: 'exec' })).toBe('npx cnf-admin');
    expect(invocationOf({ npm_lifecycle_event: 'migrate' })).toBe('npx cnf-admin');
    expect(invocationOf({})).toBe('cnf-admin');
  });
});
