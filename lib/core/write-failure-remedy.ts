/**
 * What to do about a write the file system refused, by its error code: a
 * full disk or quota wants space, a read-only or forbidden place wants to be
 * made writable. Undefined for any other failure, which says no more.
 *
 * @example
 * writeFailureRemedy('ENOSPC'); // 'Free some space on its disk'
 * writeFailureRemedy('EROFS'); // 'Make it writable'
 */
function writeFailureRemedy(code: string | undefined): string | undefined {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'Free some space on its disk';
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'Make it writable';
  return undefined;
}

export { writeFailureRemedy };
