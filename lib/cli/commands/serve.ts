import { formatLogLine } from '../render/log-line.js';
import { stylerFor, writeJson, writeLine, type CliIo } from '../io.js';
import { writeNotice } from '../render/run-view.js';
import { openLocalStage } from '../stage-context.js';
import type { WebServer } from '../../core/platform-capabilities.js';
import type { CommandOptions } from '../command-options.js';
import { ExitCode } from '../../core/exit-codes.js';
import { isCnfError } from '../../core/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { onStopSignal } from '../interrupts.js';

/** The options of `cnf-admin serve`, as its flags declare them. */
type ServeCommandOptions = CommandOptions<'serve'>;

/* How often serve looks whether the alias pair moved to another release. */
const ALIAS_POLL_MS = 1_000;

/* A web server process started again that ends sooner than this after it started is not started again: it would end again. */
const RESTART_AFTER_MS = 1_000;

/**
 * `cnf-admin serve --stage local`: serves the live release's web handler
 * over HTTP on localhost, with the stage's config and database, until Ctrl-C.
 * When a deploy moves the alias pair, it switches to the new release; while
 * the pair cannot be read (its file damaged), it says so once and serves the
 * release it served. When
 * the handler's process ends (an exception nothing caught), it starts it
 * again, as Lambda starts a new environment, unless the one started again
 * ends right after it started.
 */
async function serve(options: ServeCommandOptions, io: CliIo): Promise<number> {
  const { port, host, alias } = options;
  const { platform, localStage } = await openLocalStage(
    io,
    options,
    'serve',
    'On AWS stages the web function serves through its own URL or API.',
  );
  const plan = await platform.resolve({ alias });
  plan.notices.forEach((notice) => writeNotice(io, notice));
  await localStage.prepareDatabase();
  const style = stylerFor(io.stdout, io.env);
  const stopped = new AbortController();
  const stop = (): void => stopped.abort();
  const removeListener = onStopSignal(stop);
  let server: WebServer = await localStage.startWebServer(plan.release, host, port);
  // When the process serving now was started again after one that ended.
  let restartedAt: number | undefined;
  // Why the alias pair could not be read at the last look, as told then; undefined while it can be.
  let unreadable: string | undefined;
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
    for (;;) {
      const next = await Promise.race([
        server.ended.then(() => 'ended' as const),
        sleep(ALIAS_POLL_MS, 'look' as const, { signal: stopped.signal }).catch(() => 'stopped' as const),
      ]);
      if (next === 'stopped' || stopped.signal.aborted) return ExitCode.OK;
      if (next === 'ended') {
        // One started again that ends as soon as it started would end again: its last lines say why.
        if (restartedAt !== undefined && Date.now() - restartedAt < RESTART_AFTER_MS) {
          writeNotice(io, 'The web server process ended unexpectedly, again right after it started; its last lines are above.');
          return ExitCode.SOFTWARE;
        }
        // As Lambda starts a new environment after one that ended: the next request finds the handler loaded afresh.
        writeNotice(io, 'The web server process ended unexpectedly (its last lines are above); starting it again.');
        server = await localStage.startWebServer(server.release, host, Number(new URL(server.url).port) || port);
        restartedAt = Date.now();
        announce(server);
        continue;
      }
      let target: string | undefined;
      try {
        target = await localStage.readAliasTarget(alias);
        unreadable = undefined;
      } catch (error) {
        if (!isCnfError(error)) throw error;
        // A hand edit half done, say: the release served stays, and the damage is told once, not every second.
        if (unreadable !== error.message)
          writeNotice(io, `${error.message} Serving ${server.release} until web:${alias} can be read again.`);
        unreadable = error.message;
        continue;
      }
      if (target !== undefined && target !== server.release) {
        await server.stop();
        writeNotice(io, `web:${alias} moved to ${target}; serving it now.`);
        // Same address as before, even when --port 0 let the system pick it.
        server = await localStage.startWebServer(target, host, Number(new URL(server.url).port) || port);
        restartedAt = undefined;
        announce(server);
      }
    }
  } finally {
    await server.stop();
    removeListener();
    writeLine(io.stderr, 'Stopped.');
  }
}

export { serve };
export type { ServeCommandOptions };
