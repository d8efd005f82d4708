/**
 * The words of a command line before `--`: the CLI's own, where its flags
 * are. After `--` the words are a task's args (or a value), never a flag.
 *
 * @example
 * optionWords(['invoke', 'migrate', '--json', '--', '--force']); // ['invoke', 'migrate', '--json']
 */
function optionWords(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}

export { optionWords };
