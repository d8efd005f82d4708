import { createRequire } from 'node:module';
import type { ParseError, ParseOptions } from 'jsonc-parser';

/** jsonc-parser's `parse`, as far as this module uses it. */
type Parse = (text: string, errors: ParseError[], options: ParseOptions) => unknown;

/**
 * Where strict JSON (no comments, no trailing commas) first goes wrong in
 * `text`, as jsonc-parser finds it: the position V8's `JSON.parse` leaves
 * out of an unexpected token's message. Undefined where it finds nothing.
 * The parser loads only here, on a damaged file: every local command reads
 * the state files, and loading it costs each of them some 12 ms.
 *
 * @example
 * jsonFaultOffset('{"a": garbage}'); // 6
 */
function jsonFaultOffset(text: string): number | undefined {
  const { parse } = createRequire(import.meta.url)('jsonc-parser') as { parse: Parse };
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors[0]?.offset;
}

export { jsonFaultOffset };
