import { ROLLBACK_TASK } from '../../core/rollback.js';
import { CONSOLE_TASK, isScriptPath } from '../../core/task-catalog.js';

/** Quotes a word for a POSIX shell: as is when safe, else in single quotes. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The `cnf-admin` command that starts the same run from a terminal: the
 * page's "Copy CLI command". A console evaluation's is `cnf-admin console -e`
 * with its code.
 *
 * @example
 * cliEquivalent({ task: 'notes:purge', args: { olderThanDays: 30 }, stage: 'prod' });
 * // "cnf-admin invoke notes:purge --stage prod --args '{\"olderThanDays\":30}'"
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
    return ['cnf-admin', 'rollback', '--stage', run.stage, ...(run.release === undefined ? [] : ['--to', run.release]), ...config]
      .map(shellWord)
      .join(' ');
  }
  const release = run.release === undefined ? [] : ['--release', run.release];
  // A console evaluation is no task invoke takes: the console evaluates its code (-e).
  if (run.task === CONSOLE_TASK && typeof run.args.code === 'string')
    return ['cnf-admin', 'console', '--stage', run.stage, ...release, '-e', run.args.code].map(shellWord).join(' ');
  const words = ['cnf-admin', isScriptPath(run.task) ? 'run' : 'invoke', run.task, '--stage', run.stage, ...release];
  if (Object.keys(run.args).length > 0) words.push('--args', JSON.stringify(run.args));
  return words.map(shellWord).join(' ');
}

export { cliEquivalent };
