import { parse, type ParseError } from 'jsonc-parser';

/**
 * Where strict JSON (no comments, no trailing commas) first goes wrong in
 * `text`, as jsonc-parser finds it: the position V8's `JSON.parse` leaves
 * out of an unexpected token's message. Undefined where it finds nothing.
 *
 * @example
 * jsonFaultOffset('{"a": garbage}'); // 6
 */
function jsonFaultOffset(text: string): number | undefined {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors[0]?.offset;
}

export { jsonFaultOffset };
