import type * as z from 'zod/mini';

/**
 * One line that says what is wrong with a value, from a schema's issues (the
 * first three, and how many more): `exitCode: Invalid input: expected
 * number, received string`.
 *
 * @example
 * const parsed = schema.safeParse(value);
 * if (!parsed.success) throw new UnavailableError(`${file} is corrupted: ${describeIssues(parsed.error)}`);
 */
function describeIssues(error: z.core.$ZodError): string {
  const issues = error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.map(String).join('.');
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
  return `${issues.join('; ')}${error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : ''}`;
}

export { describeIssues };
