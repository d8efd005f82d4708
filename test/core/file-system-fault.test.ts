import { describe, expect, it } from 'vitest';
import { PermissionError } from '../../lib/core/errors.js';
import { permissionFault } from '../../lib/core/file-system-fault.js';

const fault = (code: string, syscall = 'open', path = '/app/.cnf/local/parameters.json'): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });

describe('permissionFault', () => {
  it('is 77 naming the path and the user who may not open it', () => {
    const error = permissionFault(fault('EACCES'));
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).message).toBe('Permission denied: cannot open /app/.cnf/local/parameters.json (EACCES).');
    expect((error as PermissionError).hint).toMatch(/^Make it readable and writable for /);
  });

  it('asks for what the refused call needed: a read, the right to read; a write, to write', () => {
    expect((permissionFault(fault('EACCES', 'scandir', '/app/.cnf/local/runs')) as PermissionError).hint).toMatch(/^Make it readable for /);
    expect((permissionFault(fault('EACCES', 'mkdir', '/app/.cnf/local/locks')) as PermissionError).hint).toMatch(/^Make it writable for /);
  });

  it('says a read-only file system is one, where no owner or mode would help', () => {
    const error = permissionFault(fault('EROFS', 'mkdir', '/app/.cnf/local/locks'));
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).message).toBe('Cannot mkdir /app/.cnf/local/locks: it is on a read-only file system (EROFS).');
    expect((error as PermissionError).hint).not.toContain('writable for');
  });

  it('leaves any other error as it is', () => {
    const other = fault('ENOENT');
    expect(permissionFault(other)).toBe(other);
  });
});
