import { UsageError } from '../core/errors.js';

/**
 * Reads `--args '<json>'`: a JSON object.
 *
 * @throws UsageError when it is not JSON, or not an object.
 */
function parseArgsJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--args is not valid JSON: ${(error as Error).message}`, {
      hint: `Quote the object for your shell, e.g. --args '{"days": 30}'`,
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`--args must be a JSON object, got: ${text}`);
  }
  return value as Record<string, unknown>;
}

export { parseArgsJson };
