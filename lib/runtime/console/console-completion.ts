/**
 * Tab completion for the console, as Node's REPL completes: a word completes
 * to the names in scope (the session's globals, the scope's and declared
 * names, JavaScript's keywords); `a.b.` completes to the members of the value
 * `a.b`.
 */
import { types } from 'node:util';

const { isProxy } = types;

/** What the line is completed from. */
interface CompletionSource {
  /** Every name an input can use at the top level. */
  names(): readonly string[];
  /**
   * The members of the value at `path` (`['notes']` for `notes.`), or
   * undefined when the path names nothing known.
   */
  members(path: readonly string[]): readonly string[] | undefined;
}

/** A completion: the candidates, and the end of the line they replace (what readline's completer returns). */
type Completion = [string[], string];

/** JavaScript's reserved words and the contextual ones a person types at a prompt. */
const KEYWORDS: readonly string[] = [
  'async',
  'await',
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'import',
  'in',
  'instanceof',
  'let',
  'new',
  'null',
  'of',
  'return',
  'static',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'undefined',
  'var',
  'void',
  'while',
  'with',
  'yield',
];

/* A chain of names and dots at the end of the line: `notes.li`, `a?.b.`, `con`. */
const TAIL = /((?:[A-Za-z_$][\w$]*\??\.)*)([A-Za-z_$][\w$]*)?$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Completes the end of a console line.
 *
 * @example
 * completeLine('notes.li', source); // [['notes.listNotes'], 'notes.li']
 * completeLine('con', source);      // [['config', 'console', 'const', 'continue'], 'con']
 */
function completeLine(line: string, source: CompletionSource): Completion {
  const match = TAIL.exec(line);
  const chain = match?.[1] ?? '';
  const word = match?.[2] ?? '';
  const text = chain + word;
  // After a call, an index or a literal (`f().x`) the value is not known without running code.
  if (/[\])'"`.]$/.test(line.slice(0, line.length - text.length))) return [[], text];
  if (chain === '')
    return [
      unique([...source.names(), ...KEYWORDS])
        .filter((name) => name.startsWith(word))
        .sort(),
      word,
    ];
  const path = chain.split(/\??\./).filter((part) => part !== '');
  const members = source.members(path) ?? [];
  return [
    unique(members)
      .filter((name) => IDENTIFIER.test(name) && name.startsWith(word))
      .map((name) => chain + name),
    text,
  ];
}

/**
 * The member names of a value, as completion lists them: its own first,
 * then those of each prototype, for primitives those of their wrappers.
 *
 * Completion runs none of the session's code: a proxy (whose traps could do
 * anything, or throw) is not looked into, nor is anything after it on the
 * prototype chain, and where a step fails the names found so far stand.
 */
function memberNames(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const names: string[] = [];
  try {
    for (let object: object | null = Object(value) as object; object !== null; object = Object.getPrototypeOf(object) as object | null) {
      if (isProxy(object)) break;
      names.push(...Object.getOwnPropertyNames(object).filter((name) => name !== '__proto__'));
    }
  } catch (error) {
    // A host object that refuses reflection: a Tab press lists what was found, it never breaks the prompt.
    void error;
  }
  return unique(names);
}

/**
 * The value at `path` below `root`, read as the input `a.b.c` would read it,
 * but without running code: each step reads a data property's descriptor.
 * Undefined when a step is missing, is a getter (which could do anything),
 * or goes through a proxy.
 */
function valueAt(root: (name: string) => unknown, path: readonly string[]): { readonly value: unknown } | undefined {
  const [first, ...rest] = path;
  if (first === undefined) return undefined;
  try {
    let value = root(first);
    for (const name of rest) {
      const step = dataProperty(value, name);
      if (step === undefined) return undefined;
      value = step.value;
    }
    return value === undefined ? undefined : { value };
  } catch (error) {
    // Reflection refused (a host object): completion offers nothing rather than an error at the prompt.
    void error;
    return undefined;
  }
}

/**
 * The value of the data property `name` of `value` (own or inherited), read
 * from its descriptor; undefined for a getter, a missing property, or one
 * behind a proxy.
 */
function dataProperty(value: unknown, name: string): { readonly value: unknown } | undefined {
  if (value === null || value === undefined) return undefined;
  for (let object: object | null = Object(value) as object; object !== null; object = Object.getPrototypeOf(object) as object | null) {
    if (isProxy(object)) return undefined;
    const descriptor = Object.getOwnPropertyDescriptor(object, name);
    if (descriptor !== undefined) return 'value' in descriptor ? { value: descriptor.value as unknown } : undefined;
  }
  return undefined;
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

export { completeLine, dataProperty, KEYWORDS, memberNames, valueAt };
export type { Completion, CompletionSource };
