import { describe, expect, it } from 'vitest';
import { CnfError } from '../../../lib/core/errors.js';
import { listenFailure } from '../../../lib/cli/ui/listen-failure.js';

/** A failure of `listen`, as Node reports it. */
const failed = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`listen ${code}`), { code });

describe('listenFailure', () => {
  it('says a port this user may not open as a usage error naming it (64), not as a bug of cnf-admin', () => {
    // given: a user without privileges asks for port 80
    const said = listenFailure(failed('EACCES'), 80, '127.0.0.1');

    // then
    expect(said).toBeInstanceOf(CnfError);
    expect(said).toMatchObject({ exitCode: 64, fault: 'user', hint: 'Pick another with --port, or leave --port out for a free one.' });
    expect((said as Error).message).toBe('Port 80 may not be opened by this user (permission denied): ports below 1024 need privileges.');
    expect((listenFailure(failed('EPERM'), 8080, '127.0.0.1') as Error).message).toBe(
      'Port 8080 may not be opened by this user (permission denied).',
    );
  });

  it('says a port in use, and a host that is no address of this machine, in their own words', () => {
    expect(listenFailure(failed('EADDRINUSE'), 8233, '127.0.0.1')).toMatchObject({ exitCode: 64, message: 'Port 8233 is in use.' });
    expect(listenFailure(failed('EADDRNOTAVAIL'), 0, '10.9.9.9')).toMatchObject({
      exitCode: 64,
      message: '--host 10.9.9.9 is not an address of this machine.',
    });
  });

  it('returns any other failure as it is', () => {
    const other = failed('EMFILE');
    expect(listenFailure(other, 0, '127.0.0.1')).toBe(other);
  });
});
