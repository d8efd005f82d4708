import { spawn, type ChildProcess } from 'node:child_process';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { BuildError, UsageError } from '../../core/errors.js';
import type { Project } from '../../core/project.js';
import { toolRoot } from '../../core/tool-root.js';
import type { WebServer } from '../../core/platform-capabilities.js';
import { lambdaEnvironment } from './lambda-environment.js';
import { mergedLines } from './merged-lines.js';
import { redactingTransform, SecretRedactor } from '../../runtime/redact-secrets.js';
import { bundleDir, type LocalPaths } from './local-paths.js';

/**
 * Starts a process that serves the release's web handler over HTTP on
 * `host:port`, with the stage's config, as API Gateway's HTTP API would
 * call it. What it writes reaches the terminal with the stage's secure
 * values (`secrets`, read as it starts) redacted, as a run's output does.
 *
 * @throws UsageError when the port cannot be had (in use, or not allowed);
 *   BuildError (65) naming the web entry when it throws as it loads, or exports no `handler` function.
 */
async function startWebServer(
  project: Pick<Project, 'app' | 'root' | 'webEntry'>,
  paths: LocalPaths,
  release: string,
  host: string,
  port: number,
  secrets: readonly string[],
): Promise<WebServer> {
  const dir = bundleDir(paths, release);
  const child: ChildProcess = spawn(
    process.execPath,
    ['--enable-source-maps', join(toolRoot(), 'dist', 'local-web-server.mjs'), host, String(port)],
    {
      cwd: dir,
      env: lambdaEnvironment(project.app, paths, release, dir, 'web'),
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const ended = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const report = await firstReport(child);
  if (report.listening === undefined) {
    await ended;
    const entry = relative(project.root, project.webEntry);
    if (report.loadError !== undefined)
      throw new BuildError(`The web entry ${entry} of release ${release} failed to load: ${report.loadError}`, {
        hint: `Fix ${entry}, deploy it (cnf-admin deploy), then serve again.`,
      });
    if (report.noHandler !== undefined)
      throw new BuildError(
        `The web entry ${entry} of release ${release} exports no handler function, which the web function calls (it exports: ${report.noHandler || 'nothing'}).`,
        { hint: `Export it from ${entry} (export const handler = async (event) => …), deploy it (cnf-admin deploy), then serve again.` },
      );
    throw new UsageError(`Cannot serve on ${host}:${port}: ${report.error ?? 'the server ended before it listened'}.`, {
      // The port in use or not allowed, or a host that is no address of this machine.
      hint: /EADDRINUSE|EACCES/.test(report.error ?? '')
        ? 'Pick another port with --port.'
        : 'Give --host a name or address of this machine (localhost, 127.0.0.1, 0.0.0.0 for every interface).',
    });
  }
  const redactor = new SecretRedactor(secrets);
  return {
    url: report.listening,
    release,
    lines: mergedLines(
      [child.stdout!, child.stderr!].map((stream) => (redactor.active ? stream.pipe(redactingTransform(redactor)) : stream)),
    ),
    ended,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await ended;
    },
  };
}

/** What the web server process reports first: where it listens, or why it does not. */
interface FirstReport {
  readonly listening?: string;
  readonly error?: string;
  readonly loadError?: string;
  readonly noHandler?: string;
}

function firstReport(child: ChildProcess): Promise<FirstReport> {
  return new Promise((resolve) => {
    let text = '';
    const channel = child.stdio[3] as Readable | null;
    channel?.setEncoding('utf8');
    channel?.on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(text.slice(0, newline)) as FirstReport);
    });
    child.once('close', () => resolve({}));
  });
}

export { startWebServer };
