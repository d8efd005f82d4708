import type { CommandOptions } from '../command-options.js';
import { ExitCode } from '../../core/exit-codes.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { STOP_SIGNALS } from '../interrupts.js';
import { writeNotice } from '../render/run-view.js';
import { asInvoked } from '../invocation.js';
import { checkoutRuns, deployWorkingTreeFirst } from '../auto-deploy.js';
import { openStage } from '../stage-context.js';
import { uiCommand } from '../ui/cli-equivalent.js';
import { listenFailure } from '../ui/listen-failure.js';
import { openBrowser } from '../ui/open-browser.js';
import { PageAssets } from '../ui/page-assets.js';
import { isLoopbackHost, newSessionToken } from '../ui/request-guard.js';
import { RunLauncher } from '../ui/run-launcher.js';
import { SecretMask } from '../secret-mask.js';
import { UiApi } from '../ui/ui-api.js';
import { startUiServer } from '../ui/ui-server.js';

/** The options of `cnf-admin ui`, as its flags declare them (`--no-open` is `open: false`). */
type UiCommandOptions = CommandOptions<'ui'>;

/** How long open live tails get, once the runs `ui` started have stopped, to send their end before the server closes them. */
const TAIL_END_GRACE_MS = 2000;

/**
 * `cnf-admin ui --stage S`: serves the runs, tasks and releases of a stage
 * as a page on 127.0.0.1 (a free port unless `--port`), read with the
 * operator's own credentials or from `.cnf/`, prints its address (with this
 * start's token) and opens the browser where it can; Ctrl-C stops it.
 *
 * @throws UsageError (64) or PermissionError (77) for an AWS stage without a region or credentials, before it serves.
 */
async function ui(options: UiCommandOptions, io: CliIo): Promise<number> {
  const { port, host } = options;
  const context = await openStage(io, options);
  const { platform, stage } = context;
  // An AWS stage it cannot reach (no region, no credentials) is said now, with its exit code, as every command says it:
  // not by an address whose every page then says so.
  if (platform.cloudStage !== undefined) await platform.callerIdentity();
  const assets = await PageAssets.load();
  const report = (message: string): void => writeNotice(io, message);
  const launcher = new RunLauncher(platform, report);
  const { localStage } = platform;
  const api = new UiApi(platform, stage.name, launcher, new SecretMask(platform.parameters), {
    restartCommand: uiCommand({ stage: stage.name, port, host, profile: options.profile, region: options.region }),
    asRun: (command) => asInvoked(command, io.env),
    // Locally the checkout is the release: a run on the live pair from the page deploys the working tree first, as invoke does.
    ...(localStage === undefined
      ? {}
      : {
          beforeLiveRun: (task: string | undefined) => deployWorkingTreeFirst(context, task === undefined ? {} : { task }),
          checkoutRuns: () => checkoutRuns({ stage, heldByRollback: async () => (await localStage.rollbackPin())?.release }),
        }),
  });
  const server = await startUiServer({ host, port, token: newSessionToken(), api, assets, report }).catch((error: unknown) => {
    throw listenFailure(error, port, host);
  });
  // Listening for Ctrl-C before the address is out: whoever reads it may stop the server at once.
  const interrupted = new Promise<void>((resolve) => {
    const stop = (): void => {
      for (const signal of STOP_SIGNALS) process.off(signal, stop);
      resolve();
    };
    for (const signal of STOP_SIGNALS) process.on(signal, stop);
  });
  if (!isLoopbackHost(host))
    writeNotice(
      io,
      `Listening on ${host}, not only on this machine: anyone who can reach it and has the address with its token can start runs on stage ${stage.name}.`,
    );
  if (options.json === true) writeJson(io, { stage: stage.name, url: server.url });
  else writeLine(io.stdout, server.url);
  writeLine(io.stderr, `Serving the runs of stage ${stage.name} at ${server.url}; Ctrl-C to stop.`);
  if (options.open && (await openBrowser(server.url, io.env))) writeLine(io.stderr, 'Opened it in your browser.');
  await interrupted;
  // The runs it started stop first, while it still serves: a page that follows one then shows how it ended.
  const stopped = await launcher.close();
  await server.close(stopped === 0 ? 0 : TAIL_END_GRACE_MS);
  writeLine(
    io.stderr,
    `Stopped cnf-admin ui${stopped === 0 ? '' : `; ${stopped} run(s) it started were asked to stop and recorded how they ended`}.`,
  );
  return ExitCode.OK;
}

export { ui };
export type { UiCommandOptions };
