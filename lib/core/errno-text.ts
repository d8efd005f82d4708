/** What a file system error code says, for people. */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'something that is not a directory is in the way',
  EISDIR: 'it is a directory',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ELOOP: 'too many symbolic links',
  ENODEV: 'no such device',
  EIO: 'input/output error',
};

/**
 * What a file system error code says, for people (`ENOSPC`: no space left on
 * the device), or undefined for a code without words here.
 *
 * @example
 * errnoText('EDQUOT'); // 'disk quota exceeded'
 */
function errnoText(code: string | undefined): string | undefined {
  return code !== undefined && Object.hasOwn(ERRNO_TEXT, code) ? ERRNO_TEXT[code] : undefined;
}

export { errnoText };
