import { readAliasTarget } from '../../platform/local/alias-store.js';
import { startWebServer, type WebServer } from '../../platform/local/local-web-server.js';
import { localPaths } from '../../platform/local/local-paths.js';
import { formatLogLine } from '../render/log-line.js';
import { stylerFor, writeJson, writeLine, type CliIo } from '../io.js';
import { writeNotice } from '../render/run-view.js';
import { openLocalStage, type StageOptions } from '../stage-context.js';
import { DEFAULT_ALIAS } from '../../core/platform.js';
import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';

/** The options of `cnf-admin serve`. */
interface ServeCommandOptions extends StageOptions {
  /** @default 3000 */
  readonly port?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  readonly alias?: string;
  readonly json?: boolean;
}

/* How often serve looks whether the alias pair moved to another release. */
const ALIAS_POLL_MS = 1_000;

/**
 * `cnf-admin serve --stage local`: serves the live release's web handler
 * over HTTP on localhost, with the stage's config and database, until Ctrl-C.
 * When a deploy moves the alias pair, it switches to the new release.
 */
async function serve(options: ServeCommandOptions, io: CliIo): Promise<number> {
  const port = Number(options.port ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port takes a port number 0-65535, got: ${JSON.stringify(options.port)}`);
  const host = options.host ?? '127.0.0.1';
  const alias = options.alias ?? DEFAULT_ALIAS;
  const { project, platform } = await openLocalStage(
    io,
    options,
    'serve',
    'On AWS stages the web function serves through its own URL or API.',
  );
  const plan = await platform.resolve({ alias });
  plan.notices.forEach((notice) => writeNotice(io, notice));
  await platform.prepareDatabase();
  const paths = localPaths(project);
  const style = stylerFor(io.stdout, io.env);
  const stopped = new AbortController();
  const onSigint = (): void => stopped.abort();
  process.on('SIGINT', onSigint);
  let server: WebServer = await startWebServer(project.app, paths, plan.release, host, port);
  // With --json, stdout carries one document (where it serves); request logs go to stderr.
  const logOut = options.json === true ? io.stderr : io.stdout;
  const announce = (current: WebServer): void => {
    writeLine(io.stderr, `Serving web:${alias} (${current.release}) at ${current.url}; Ctrl-C to stop.`);
    void (async () => {
      for await (const line of current.lines) writeLine(logOut, formatLogLine(line, style));
    })();
  };
  if (options.json === true) writeJson(io, { stage: plan.stage, alias, release: server.release, url: server.url });
  announce(server);
  try {
    while (!stopped.signal.aborted) {
      const ended = await Promise.race([
        server.ended.then(() => true),
        new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), ALIAS_POLL_MS);
          stopped.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve(false);
            },
            { once: true },
          );
        }),
      ]);
      if (ended && !stopped.signal.aborted) {
        writeNotice(io, 'The web server process ended unexpectedly; its last lines are above.');
        return ExitCode.SOFTWARE;
      }
      const target = await readAliasTarget(paths, alias);
      if (!stopped.signal.aborted && target !== undefined && target !== server.release) {
        await server.stop();
        writeNotice(io, `web:${alias} moved to ${target}; serving it now.`);
        server = await startWebServer(
          project.app,
          paths,
          target,
          host,
          new URL(server.url).port === '' ? port : Number(new URL(server.url).port),
        );
        announce(server);
      }
    }
    return ExitCode.OK;
  } finally {
    process.off('SIGINT', onSigint);
    await server.stop();
    writeLine(io.stderr, 'Stopped.');
  }
}

export { serve };
export type { ServeCommandOptions };
