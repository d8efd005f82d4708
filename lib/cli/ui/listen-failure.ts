import { UsageError } from '../../core/errors.js';

/** What to do when the port asked for cannot be had. */
const ANOTHER_PORT = 'Pick another with --port, or leave --port out for a free one.';

/**
 * What `ui` says when its server cannot listen where it was asked: the port
 * in use, a port this user may not open (below 1024, without privileges), or
 * a host that is no address of this machine, each a usage error (64) naming
 * it. Any other failure is returned as it is.
 *
 * @example
 * listenFailure(Object.assign(new Error('listen EACCES'), { code: 'EACCES' }), 80, '127.0.0.1');
 * // UsageError: Port 80 may not be opened by this user (permission denied): ports below 1024 need privileges.
 */
function listenFailure(error: unknown, port: number, host: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new UsageError(`Port ${port} is in use.`, { hint: ANOTHER_PORT, cause: error });
  if (code === 'EACCES' || code === 'EPERM')
    return new UsageError(
      `Port ${port} may not be opened by this user (permission denied)${port < 1024 ? ': ports below 1024 need privileges' : ''}.`,
      { hint: ANOTHER_PORT, cause: error },
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new UsageError(`--host ${host} is not an address of this machine.`, { cause: error });
  return error;
}

export { listenFailure };
