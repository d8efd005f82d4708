import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UnavailableError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { CliIo } from '../io.js';
import { progressFor } from '../progress.js';
import { embeddedDatabaseOf, type DbCommandOptions } from './db.js';

/** What to install where `psql` is missing, by system. */
const PSQL_INSTALL = 'Debian/Ubuntu: apt-get install postgresql-client; Fedora: dnf install postgresql; macOS: brew install libpq';

/** The `psql` on the PATH, or undefined. */
function psqlOnPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'psql');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    }
  }
  return undefined;
}

/**
 * `cnf-admin db psql [-- psql args]`: PostgreSQL's own shell on the local
 * stage's embedded database, started if it is not running. It needs the
 * system's `psql`; without one it says what to install, and the URL any
 * other client can use. Exits with psql's exit code.
 *
 * @throws UnavailableError (69) when psql is not on the PATH.
 */
async function dbPsql(psqlArgs: readonly string[], options: DbCommandOptions, io: CliIo): Promise<number> {
  const { database } = embeddedDatabaseOf(io, options);
  const psql = psqlOnPath(io.env);
  const url = await database.url(progressFor(io));
  if (psql === undefined) {
    throw new UnavailableError(`psql is not on the PATH; cnf-admin db psql runs PostgreSQL's own client.`, {
      hint: `Install it (${PSQL_INSTALL}), or point any client at: ${url}`,
    });
  }
  const child = spawn(psql, [url, ...psqlArgs], { cwd: io.cwd, env: io.env, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? ExitCode.SOFTWARE : ExitCode.INTERRUPTED)));
  });
}

export { dbPsql };
