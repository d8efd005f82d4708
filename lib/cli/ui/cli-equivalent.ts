import { ROLLBACK_TASK } from '../../core/rollback.js';
import { LOOPBACK } from '../command-options.js';
import { CONSOLE_TASK, isScriptPath } from '../../core/task-catalog.js';
import { holdsLeftOutArgs } from '../../runtime/task-args.js';
import { shellWord } from '../shell-word.js';

/**
 * Args as `--args` takes them (JSON), but for each value the ledger did not
 * keep whole (a secret's `[redacted]`, text too long to keep): that value is
 * written as a bare `<name>`, its key's path, for the user to fill in. Bare,
 * it is no JSON, so a command copied as it is runs nothing (`invoke` refuses
 * it, 64), rather than the task with `"[redacted]"` for a password.
 */
function argsJson(value: unknown, path: string): string {
  if (holdsLeftOutArgs(value) && (typeof value !== 'object' || value === null)) return `<${path}>`;
  if (Array.isArray(value)) return `[${value.map((item, index) => argsJson(item, `${path}[${index}]`)).join(',')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${argsJson(item, path === '' ? key : `${path}.${key}`)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * The `cnf-admin` command that starts the same run from a terminal: the
 * page's "Copy CLI command". A console evaluation's is `cnf-admin console -e`
 * with its code. Args the ledger did not keep whole are left for the user to
 * fill in (see {@link argsJson}); a console evaluation whose code it did not
 * keep whole opens the console, to type the code again.
 *
 * @example
 * cliEquivalent({ task: 'notes:purge', args: { olderThanDays: 30 }, stage: 'prod' });
 * // "cnf-admin invoke notes:purge --stage prod --args '{\"olderThanDays\":30}'"
 * cliEquivalent({ task: 'keys:rotate', args: { token: '[redacted]' }, stage: 'prod' });
 * // "cnf-admin invoke keys:rotate --stage prod --args '{\"token\":<token>}'"
 */
function cliEquivalent(run: {
  readonly task: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly stage: string;
  readonly release?: string;
}): string {
  // A rollback's run is the command that rolled back: to its release, with the config it chose.
  if (run.task === ROLLBACK_TASK) {
    const config = run.args.config === 'current' ? ['--config', 'current'] : [];
    // Its reason, as the ledger kept it: one that holds a secret (kept redacted) is left out, as no reason to give again.
    const reason = typeof run.args.reason === 'string' && !holdsLeftOutArgs(run.args.reason) ? ['--reason', run.args.reason] : [];
    const force = run.args.force === true ? ['--force'] : [];
    const to = run.release === undefined ? [] : ['--to', run.release];
    return ['cnf-admin', 'rollback', '--stage', run.stage, ...to, ...config, ...reason, ...force].map(shellWord).join(' ');
  }
  const release = run.release === undefined ? [] : ['--release', run.release];
  // A console evaluation is no task invoke takes: the console evaluates its code (-e).
  if (run.task === CONSOLE_TASK && typeof run.args.code === 'string') {
    const code = holdsLeftOutArgs(run.args.code) ? [] : ['-e', run.args.code];
    return ['cnf-admin', 'console', '--stage', run.stage, ...release, ...code].map(shellWord).join(' ');
  }
  const words = ['cnf-admin', isScriptPath(run.task) ? 'run' : 'invoke', run.task, '--stage', run.stage, ...release];
  if (Object.keys(run.args).length > 0) words.push('--args', argsJson(run.args, ''));
  return words.map(shellWord).join(' ');
}

/**
 * The command that starts `cnf-admin ui` again as this one was started: its
 * stage, and the `--port`, `--host`, `--profile` and `--region` it was given
 * (a page whose server stopped answering names it). `--no-open` and `--json`
 * are left out: the page asks the user to open the address it prints.
 *
 * @example
 * uiCommand({ stage: 'prod', port: 8233, host: '127.0.0.1', profile: 'ops' });
 * // "cnf-admin ui --stage prod --port 8233 --profile ops"
 */
function uiCommand(started: {
  readonly stage: string;
  readonly port: number;
  readonly host: string;
  readonly profile?: string | undefined;
  readonly region?: string | undefined;
}): string {
  const words = ['cnf-admin', 'ui', '--stage', started.stage];
  // Port 0 is the default, a free one: the next start takes another free one.
  if (started.port !== 0) words.push('--port', String(started.port));
  if (started.host !== LOOPBACK) words.push('--host', started.host);
  if (started.profile !== undefined) words.push('--profile', started.profile);
  if (started.region !== undefined) words.push('--region', started.region);
  return words.map(shellWord).join(' ');
}

export { cliEquivalent, uiCommand };
