import { isScriptPath } from '../../core/task-catalog.js';

/** Quotes a word for a POSIX shell: as is when safe, else in single quotes. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The `cnf-admin` command that starts the same run from a terminal: the
 * page's "Copy CLI command".
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
  const words = ['cnf-admin', isScriptPath(run.task) ? 'run' : 'invoke', run.task, '--stage', run.stage];
  if (run.release !== undefined) words.push('--release', run.release);
  if (Object.keys(run.args).length > 0) words.push('--args', JSON.stringify(run.args));
  return words.map(shellWord).join(' ');
}

export { cliEquivalent };
