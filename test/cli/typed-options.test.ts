import { Command } from 'commander';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { COMMAND_OPTIONS, type CommandName, type CommandOptions } from '../../lib/cli/command-options.js';
import { defineCommand } from '../../lib/cli/command-spec.js';
import { cli } from '../../lib/cli/main.js';
import { commanderOption, optionHelp } from '../../lib/cli/option.js';
import { memoryIo } from '../support/memory-io.js';

/*
 * Each flag is declared once (lib/cli/command-options.ts) and its command
 * receives an options object typed from that declaration. The type checks
 * here (expectTypeOf, @ts-expect-error) are checked by `npx tsc --noEmit`:
 * a renamed or misspelt flag fails the typecheck instead of arriving as
 * undefined. The rest runs: commander parses with the same declarations.
 */

/** What a command's `run` receives for `argv`, through the same declarations and boundary (defineCommand) as the CLI's. */
async function received<Name extends CommandName>(name: Name, argv: readonly string[]): Promise<CommandOptions<Name>> {
  const seen: CommandOptions<Name>[] = [];
  const spec = defineCommand({
    name,
    summary: name,
    examples: [],
    options: COMMAND_OPTIONS[name],
    run: async (_args, options) => {
      seen.push(options);
      return 0;
    },
  });
  const command = new Command(name).exitOverride().configureOutput({ writeErr: () => undefined });
  for (const declared of spec.options) command.addOption(commanderOption(declared));
  command.parse([...argv], { from: 'user' });
  expect(await spec.run?.([], command.opts(), memoryIo(process.cwd()))).toBe(0);
  const [options] = seen;
  if (options === undefined) throw new Error(`${name} did not run`);
  return options;
}

describe('a command receives its flags typed from their one declaration', () => {
  it('serve: defaults from the declaration, the port as a number', async () => {
    expect(await received('serve', [])).toEqual({ stage: 'local', port: 3000, host: '127.0.0.1', alias: 'live' });
    const options = await received('serve', ['--port', '8080', '-s', 'dev', '--json']);
    expect(options).toEqual({ stage: 'dev', port: 8080, host: '127.0.0.1', alias: 'live', json: true });

    expectTypeOf(options.port).toEqualTypeOf<number>();
    expectTypeOf(options.host).toEqualTypeOf<string>();
    expectTypeOf(options.json).toEqualTypeOf<boolean | undefined>();
    // @ts-expect-error -- there is no --prot: a misspelt flag does not compile
    expect(options.prot).toBeUndefined();
  });

  it('invoke: --run-id as runId, --dry-run as dryRun, --wait-lock as seconds (alone: its preset), --config as its choice', async () => {
    const options = await received('invoke', [
      '--run-id',
      'r1',
      '--dry-run',
      '--wait-lock',
      '--release',
      'r-000000000000',
      '--config',
      'current',
    ]);
    expect(options).toEqual({ stage: 'local', runId: 'r1', dryRun: true, waitLock: 300, release: 'r-000000000000', config: 'current' });
    expect((await received('invoke', ['--wait-lock', '90s'])).waitLock).toBe(90);

    expectTypeOf(options.runId).toEqualTypeOf<string | undefined>();
    expectTypeOf(options.waitLock).toEqualTypeOf<number | undefined>();
    expectTypeOf(options.config).toEqualTypeOf<'pinned' | 'current' | undefined>();
    // @ts-expect-error -- commander keys --run-id as runId: the flag's own spelling does not compile
    expect(options['run-id']).toBeUndefined();
    // @ts-expect-error -- nor does a name the flags do not declare
    expect(options.waitLockSeconds).toBeUndefined();
  });

  it('ui: --no-open as open, true unless given; the port defaults to 0 (a free one)', async () => {
    expect(await received('ui', [])).toMatchObject({ open: true, port: 0 });
    const options = await received('ui', ['--no-open']);
    expect(options.open).toBe(false);

    expectTypeOf(options.open).toEqualTypeOf<boolean>();
    // @ts-expect-error -- the key is open, not noOpen
    expect(options.noOpen).toBeUndefined();
  });

  it('rollback and runs: the defaults a command used to write itself', async () => {
    expect(await received('rollback', [])).toEqual({ stage: 'local', to: 'previous', config: 'pinned' });
    expect(await received('runs', ['-n', '5'])).toEqual({ stage: 'local', limit: 5 });
    expectTypeOf<CommandOptions<'rollback'>['config']>().toEqualTypeOf<'pinned' | 'current'>();
    expectTypeOf<CommandOptions<'runs'>['limit']>().toEqualTypeOf<number>();
    // policy names an AWS stage: its --stage has no default.
    expect(await received('policy', [])).toEqual({});
    expectTypeOf<CommandOptions<'policy'>['stage']>().toEqualTypeOf<string | undefined>();
  });

  it("help shows each default from the flag's declaration", () => {
    const command = new Command('serve');
    for (const declared of COMMAND_OPTIONS.serve) command.addOption(commanderOption(declared));
    const help = command.options.map(optionHelp);
    expect(help).toContain('the port to listen on (default: 3000)');
    expect(help).toContain('the address to listen on (default: 127.0.0.1)');
    const waitLock = COMMAND_OPTIONS.invoke.map((declared) => optionHelp(commanderOption(declared)));
    expect(waitLock).toContain('wait for a locked task instead of exiting 75 (--wait-lock alone: 5m)');
  });
});

describe('a value a flag cannot take: one line, exit 64, nothing runs', () => {
  it.each([
    [['ui', '--port', 'eighty'], '--port takes a port number 0-65535, got: "eighty"'],
    [['serve', '--port', '70000'], '--port takes a port number 0-65535, got: "70000"'],
    [['invoke', 'noop', '--wait-lock', 'soon'], '--wait-lock takes a duration such as 90s, 5m or 1h, got: "soon"'],
    [['invoke', 'noop', '--release', 'r-000000000000', '--config', 'latest'], '--config takes pinned or current, got: "latest"'],
    [['rollback', '--config', 'latest'], '--config takes pinned or current, got: "latest"'],
    [['runs', '--limit', '0'], '--limit takes a whole number of at least 1, got: "0"'],
    [['invoke', 'noop', '--run-id', '../x'], `--run-id must be 1-128 letters, digits, '.', '_' or '-', got: "../x"`],
    [['policy', '--stage', 'prod', '--account', '1234'], '--account takes a 12-digit AWS account id, got: "1234"'],
    [['serve', '--port', '1', '--port', '2'], '--port is given more than once (1, then 2); give it once.'],
  ])('%j', async (argv, message) => {
    // A directory with no project: a command that got as far as opening its stage would fail otherwise.
    const io = memoryIo('/');
    expect(await cli(argv, io)).toBe(64);
    expect(io.stderrText()).toBe(`cnf-admin: ${message}\n(add --help for usage)\n`);
    expect(io.stdoutText()).toBe('');
  });

  it('a group named without its command shows its help alone, and no error line under it', async () => {
    for (const argv of [['config'], ['db'], []]) {
      const io = memoryIo('/');
      expect(await cli(argv, io)).toBe(64);
      expect(io.stderrText()).toMatch(/^Usage: cnf-admin/);
      expect(io.stderrText()).not.toContain('cnf-admin: ');
      expect(io.stderrText()).not.toContain('(add --help for usage)');
    }
  });

  it('with --json, the error document has the same message', async () => {
    const io = memoryIo('/');
    expect(await cli(['serve', '--port', 'x', '--json'], io)).toBe(64);
    expect(JSON.parse(io.stdoutText())).toEqual({
      error: { name: 'UsageError', message: '--port takes a port number 0-65535, got: "x"' },
      exitCode: 64,
    });
  });
});
