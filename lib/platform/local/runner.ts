/**
 * Runs one admin invocation of a local release, as Lambda would: a Node
 * process of its own, the bundle as its task root, the release's parameter
 * set, a context with the remaining time. The local platform spawns it.
 *
 * The event arrives on stdin; the task's log goes to stdout and stderr as it
 * is written; the run result goes to file descriptor 3 as one JSON line.
 * SIGINT or SIGTERM interrupt the task through its abort signal.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ExitCode } from '../../core/exit-codes.js';
import type { RunResult } from '../../core/run.js';
import type { AdminHandler } from '../../runtime/admin-handler.js';

const RESULT_FD = 3;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function writeResult(result: RunResult): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream('', { fd: RESULT_FD });
    out.once('error', reject);
    out.end(`${JSON.stringify(result)}\n`, () => resolve());
  });
}

async function main(): Promise<void> {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (taskRoot === undefined) throw new Error('LAMBDA_TASK_ROOT is not set');
  const timeoutMs = Number(process.env.CNF_FUNCTION_TIMEOUT_SECONDS ?? 900) * 1000;
  const deadline = Date.now() + timeoutMs;
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const event: unknown = JSON.parse(await readStdin());
  const { handler } = (await import(pathToFileURL(join(taskRoot, 'admin.mjs')).href)) as { handler: AdminHandler };
  const result = await handler(event, {
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    interrupt: interrupt.signal,
  });
  // Output a task wrote may still be queued for the pipe: it belongs to the run before its result.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  await writeResult(result);
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

main().then(
  // Open database pools and timers must not keep a finished run alive.
  () => process.exit(ExitCode.OK),
  (error: unknown) => {
    console.error(error);
    process.exit(ExitCode.SOFTWARE);
  },
);
