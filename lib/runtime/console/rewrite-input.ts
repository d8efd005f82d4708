import { parse, type Node, type Pattern, type Program, type Statement } from 'acorn';

/** Console input made ready to run: an async function body, and the top-level names it declares. */
interface RewrittenInput {
  /** An expression that evaluates to a promise of the input's completion value. */
  readonly source: string;
  /** Names the input declares at its top level (`const x`, `function f`, `class C`). */
  readonly declared: readonly string[];
}

/** Console input that does not parse. */
class ConsoleSyntaxError extends SyntaxError {
  /** Whether more input could complete it (an open brace, an unfinished string). */
  readonly incomplete: boolean;

  constructor(message: string, incomplete: boolean) {
    super(message);
    this.name = 'SyntaxError';
    this.incomplete = incomplete;
  }
}

function namesIn(pattern: Pattern | null | undefined): string[] {
  if (pattern === null || pattern === undefined) return [];
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name];
    case 'ObjectPattern':
      return pattern.properties.flatMap((property) => namesIn(property.type === 'RestElement' ? property.argument : property.value));
    case 'ArrayPattern':
      return pattern.elements.flatMap((element) => namesIn(element));
    case 'RestElement':
      return namesIn(pattern.argument);
    case 'AssignmentPattern':
      return namesIn(pattern.left);
    default:
      return [];
  }
}

function parseInput(code: string): Program {
  try {
    return parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowAwaitOutsideFunction: true, allowReturnOutsideFunction: false });
  } catch (error) {
    const { message, pos } = error as SyntaxError & { pos?: number };
    // acorn stops at the end of the input when a construct is left open; a
    // template literal or comment may span lines, a string may not.
    const incomplete =
      /Unterminated (template|comment)/.test(message) ||
      (pos !== undefined && pos >= code.trimEnd().length && /Unexpected token/.test(message));
    // acorn's "Unexpected token (1:11)" at the end of `if (true) {` is said as what it is: the code is unfinished.
    throw new ConsoleSyntaxError(incomplete ? unfinishedInputMessage(code) : message, incomplete);
  }
}

/**
 * What console input that ends inside a statement is told, wherever it is
 * evaluated (`-e`) or read (piped input that ends there).
 *
 * @example
 * unfinishedInputMessage('if (true) {\n  x()');
 * // 'the input ends inside a statement: if (true) { ...'
 */
function unfinishedInputMessage(code: string): string {
  return `the input ends inside a statement: ${code.trimStart().split('\n')[0]} ...`;
}

/**
 * Rewrites one console input so that it can use `await` at its top level and
 * still leave its declarations behind for the next input, as Node's REPL
 * does: top-level `const`/`let`/`var`, functions and classes become
 * assignments to the session's globals (functions first, as hoisting would
 * have them), the rest runs inside an async function, and the value of a
 * final expression statement is its result.
 *
 * @example
 * rewriteInput('const rows = await db.query("select 1"); rows.length');
 * // declared: ['rows']; source: (async () => { void (rows = await db.query("select 1")); return (rows.length); })()
 *
 * @throws ConsoleSyntaxError when the input does not parse (`incomplete` when more lines could complete it).
 */
function rewriteInput(code: string): RewrittenInput {
  const program = parseInput(code);
  const text = (node: Node): string => code.slice(node.start, node.end);
  const declared: string[] = [];
  const hoisted: string[] = [];
  const body: string[] = [];
  const statements = program.body as Statement[];
  statements.forEach((statement, index) => {
    const last = index === statements.length - 1;
    if (statement.type === 'VariableDeclaration') {
      for (const declarator of statement.declarations) {
        declared.push(...namesIn(declarator.id));
        const value = declarator.init === null || declarator.init === undefined ? 'undefined' : text(declarator.init);
        body.push(`void (${text(declarator.id)} = ${value});`);
      }
    } else if (statement.type === 'FunctionDeclaration' && statement.id !== null) {
      declared.push(statement.id.name);
      hoisted.push(`${statement.id.name} = ${text(statement)};`);
    } else if (statement.type === 'ClassDeclaration' && statement.id !== null) {
      declared.push(statement.id.name);
      body.push(`${statement.id.name} = ${text(statement)};`);
    } else if (last && statement.type === 'ExpressionStatement') {
      body.push(`return (${text(statement.expression)});`);
    } else {
      body.push(text(statement));
    }
  });
  return { source: `(async () => {\n${[...hoisted, ...body].join('\n')}\n})()`, declared };
}

/** Whether console input is unfinished: the REPL then asks for another line. */
function isIncompleteInput(code: string): boolean {
  try {
    parseInput(code);
    return false;
  } catch (error) {
    return (error as ConsoleSyntaxError).incomplete;
  }
}

export { ConsoleSyntaxError, isIncompleteInput, rewriteInput, unfinishedInputMessage };
export type { RewrittenInput };
