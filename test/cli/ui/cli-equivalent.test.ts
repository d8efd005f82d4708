import { describe, expect, it } from 'vitest';
import { cliEquivalent, uiCommand } from '../../../lib/cli/ui/cli-equivalent.js';

describe('cliEquivalent', () => {
  it('writes the invoke command, quoting args for a POSIX shell', () => {
    expect(cliEquivalent({ task: 'notes:purge', args: { note: "it's" }, stage: 'prod', release: 'r-0123456789ab' })).toBe(
      `cnf-admin invoke notes:purge --stage prod --release r-0123456789ab --args '{"note":"it'\\''s"}'`,
    );
    expect(cliEquivalent({ task: 'migrate', args: {}, stage: 'local' })).toBe('cnf-admin invoke migrate --stage local');
  });

  it('evaluates a console run with cnf-admin console -e, which takes its code (invoke refuses cnf:console)', () => {
    expect(cliEquivalent({ task: 'cnf:console', args: { code: "await db.query('select 1')" }, stage: 'dev' })).toBe(
      `cnf-admin console --stage dev -e 'await db.query('\\''select 1'\\'')'`,
    );
  });

  it('leaves each value the ledger did not keep whole for the user to fill in, as no JSON: a copy runs nothing as it is', () => {
    const args = {
      token: '[redacted]',
      note: 'Bearer [redacted] for the export',
      big: '[omitted: 5000 characters]',
      apiKey: '[redacted: 12 characters]',
      nested: { list: ['kept', '[redacted]'], days: 3 },
    };
    const command = cliEquivalent({ task: 'keys:rotate', args, stage: 'prod' });
    expect(command).toBe(
      `cnf-admin invoke keys:rotate --stage prod --args '{"token":<token>,"note":<note>,"big":<big>,"apiKey":<apiKey>,"nested":{"list":["kept",<nested.list[1]>],"days":3}}'`,
    );
    expect(command).not.toContain('redacted');
    expect(() => JSON.parse(/--args '(.*)'$/.exec(command)?.[1] ?? '')).toThrow(SyntaxError);
  });

  it('opens the console for an evaluation whose code the ledger did not keep whole, rather than evaluating [redacted]', () => {
    expect(cliEquivalent({ task: 'cnf:console', args: { code: 'login("[redacted]")' }, stage: 'dev' })).toBe(
      'cnf-admin console --stage dev',
    );
  });

  it('runs a script with cnf-admin run', () => {
    expect(cliEquivalent({ task: 'scripts/fix.ts', args: {}, stage: 'local' })).toBe('cnf-admin run scripts/fix.ts --stage local');
  });

  it("writes a rollback's run as the rollback it was: to its release, with its config choice", () => {
    const args = { from: 'r-bbbbbbbbbbbb · config v4', to: 'r-aaaaaaaaaaaa · config v2', config: 'pinned' };
    expect(cliEquivalent({ task: 'cnf:rollback', args, stage: 'prod', release: 'r-aaaaaaaaaaaa' })).toBe(
      'cnf-admin rollback --stage prod --to r-aaaaaaaaaaaa',
    );
    expect(cliEquivalent({ task: 'cnf:rollback', args: { ...args, config: 'current' }, stage: 'prod', release: 'r-aaaaaaaaaaaa' })).toBe(
      'cnf-admin rollback --stage prod --to r-aaaaaaaaaaaa --config current',
    );
  });

  it("gives a rollback's reason and --force again, quoted, but not a reason that held a secret", () => {
    const args = { from: 'r-bbbbbbbbbbbb · config v4', to: 'r-aaaaaaaaaaaa · config v2', config: 'pinned' };
    expect(
      cliEquivalent({
        task: 'cnf:rollback',
        args: { ...args, reason: "500s after Bob's deploy", force: true },
        stage: 'prod',
        release: 'r-aaaaaaaaaaaa',
      }),
    ).toBe("cnf-admin rollback --stage prod --to r-aaaaaaaaaaaa --reason '500s after Bob'\\''s deploy' --force");
    expect(
      cliEquivalent({ task: 'cnf:rollback', args: { ...args, reason: 'leaked [redacted]' }, stage: 'prod', release: 'r-aaaaaaaaaaaa' }),
    ).toBe('cnf-admin rollback --stage prod --to r-aaaaaaaaaaaa');
  });
});

describe('uiCommand', () => {
  it('starts ui again with the flags it was started with: the stage, and a port, host, profile and region that are not the defaults', () => {
    expect(uiCommand({ stage: 'local', port: 0, host: '127.0.0.1' })).toBe('cnf-admin ui --stage local');
    expect(uiCommand({ stage: 'prod', port: 8233, host: '0.0.0.0', profile: 'ops admin', region: 'eu-west-1' })).toBe(
      "cnf-admin ui --stage prod --port 8233 --host 0.0.0.0 --profile 'ops admin' --region eu-west-1",
    );
  });
});
