import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PermissionError, UnavailableError } from '../../lib/core/errors.js';
import { fileSystemFault } from '../../lib/core/file-system-fault.js';
import { tempDir } from '../support/temp-dir.js';

const fault = (code: string, syscall = 'open', path = '/app/.cnf/local/parameters.json'): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });

describe('fileSystemFault, of a permission', () => {
  it('is 77 naming the path and the user who may not open it', () => {
    const error = fileSystemFault(fault('EACCES'));
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).message).toBe('Permission denied: cannot open /app/.cnf/local/parameters.json (EACCES).');
    expect((error as PermissionError).hint).toMatch(/^Make it readable and writable for /);
  });

  it('asks for what the refused call needed: a read, the right to read; a write, to write', () => {
    expect((fileSystemFault(fault('EACCES', 'scandir', '/app/.cnf/local/runs')) as PermissionError).hint).toMatch(/^Make it readable for /);
    expect((fileSystemFault(fault('EACCES', 'mkdir', '/app/.cnf/local/locks')) as PermissionError).hint).toMatch(/^Make it writable for /);
  });

  it('says a read-only file system is one, where no owner or mode would help', () => {
    const error = fileSystemFault(fault('EROFS', 'mkdir', '/app/.cnf/local/locks'));
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).message).toBe('Cannot mkdir /app/.cnf/local/locks: it is on a read-only file system (EROFS).');
    expect((error as PermissionError).hint).not.toContain('writable for');
  });

  it('says of an operation not permitted even to its owner (EPERM) that an attribute refuses it, naming the file a rename replaces', () => {
    const refused = Object.assign(fault('EPERM', 'rename', '/app/.cnf/local/.tmp-aliases.json-42-0a1b2c3d'), {
      dest: '/app/.cnf/local/aliases.json',
    });
    const error = fileSystemFault(refused) as PermissionError;
    expect(error).toBeInstanceOf(PermissionError);
    expect(error.message).toBe('Cannot replace /app/.cnf/local/aliases.json: operation not permitted (EPERM).');
    expect(error.hint).toContain('chattr -i');
    expect(error.hint).not.toContain('writable for');
  });

  it('leaves any other error as it is', () => {
    const other = fault('ENOENT');
    expect(fileSystemFault(other)).toBe(other);
  });
});

describe('fileSystemFault, of state that is not the shape it must be', () => {
  it('a file where a directory must be under .cnf/ is 69 naming that file, as the parent of the path the call named', () => {
    // given .cnf/local/runs made a file
    const root = join(tempDir('cnf-shape'), '.cnf');
    mkdirSync(join(root, 'local'), { recursive: true });
    writeFileSync(join(root, 'local', 'runs'), 'x');
    // when a call opened a record in it, or read the directory itself
    for (const path of [join(root, 'local', 'runs', 'r1.json'), join(root, 'local', 'runs')]) {
      const error = fileSystemFault(fault('ENOTDIR', 'scandir', path));
      // then it names the file in the way and how to move it aside
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as UnavailableError).message).toBe(
        `cnf-admin's state under .cnf/ is damaged: ${join(root, 'local', 'runs')} is a file, where a directory must be (ENOTDIR).`,
      );
      expect((error as UnavailableError).hint).toContain(`mv ${join(root, 'local', 'runs')} ${join(root, 'local', 'runs')}.damaged`);
    }
  });

  it('a directory where a file must be is 69 naming it; a mkdir that a file is in the way of too', () => {
    const root = join(tempDir('cnf-shape'), '.cnf');
    mkdirSync(join(root, 'notices.json'), { recursive: true });
    writeFileSync(join(root, 'locks'), 'x');
    expect((fileSystemFault(fault('EISDIR', 'read', join(root, 'notices.json'))) as UnavailableError).message).toBe(
      `cnf-admin's state under .cnf/ is damaged: ${join(root, 'notices.json')} is a directory, where a file must be (EISDIR).`,
    );
    expect(fileSystemFault(fault('EEXIST', 'mkdir', join(root, 'locks')))).toBeInstanceOf(UnavailableError);
  });

  it('leaves alone what is not under .cnf/, and a mkdir of a directory that is there', () => {
    const elsewhere = fault('ENOTDIR', 'scandir', '/app/lambda/tasks');
    expect(fileSystemFault(elsewhere)).toBe(elsewhere);
    const root = join(tempDir('cnf-shape'), '.cnf');
    mkdirSync(root);
    const there = fault('EEXIST', 'mkdir', root);
    expect(fileSystemFault(there)).toBe(there);
  });
});

describe('fileSystemFault, of a full disk', () => {
  it('is 69 naming the path, what is full and what to do, not a bug with its stack', () => {
    const error = fileSystemFault(fault('ENOSPC', 'mkdir', '/app/.cnf/local/releases/.staging-r-1-2/bundle'));
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toBe(
      'No space left on the device: cannot mkdir /app/.cnf/local/releases/.staging-r-1-2/bundle (ENOSPC).',
    );
    expect((error as UnavailableError).hint).toMatch(/^Free some space on the disk that holds it \(df -h/);
  });

  it('says which call failed where the call named no path (a write to an open file), and a quota as one', () => {
    const write = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    expect((fileSystemFault(write) as UnavailableError).message).toBe('No space left on the device: a write failed (ENOSPC).');
    expect((fileSystemFault(write) as UnavailableError).hint).toContain(
      "the disk it was writing to (the project's .cnf/, or where its output was sent)",
    );
    expect((fileSystemFault(fault('EDQUOT', 'write')) as UnavailableError).message).toMatch(/^Disk quota exceeded: cannot write /);
  });
});
