/*
 * Lambda's alias alphabet (letters, digits, '_' and '-', up to 128), starting
 * with a letter: never all digits (Lambda's own rule, which keeps an alias
 * apart from a version number), and never named like a property every
 * object has (`__proto__`), as the local stage keeps its pairs by name.
 */
const ALIAS_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;

/** What an alias name is, for an error that refuses another. */
const ALIAS_NAME_RULE = "1-128 letters, digits, '_' or '-', starting with a letter";

/**
 * Whether `name` may name an alias pair, on any stage: the CLI's `--alias`,
 * a local deploy and the construct's `aliasName` refuse any other.
 *
 * @example
 * isAliasName('blue'); // true
 * isAliasName('__proto__'); // false
 */
function isAliasName(name: string): boolean {
  return ALIAS_NAME_PATTERN.test(name);
}

export { ALIAS_NAME_RULE, isAliasName };
