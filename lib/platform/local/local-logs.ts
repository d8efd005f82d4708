import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import type { LogsOptions, RunFrame } from '../../core/platform.js';
import { resultOfRecord, settledRecord } from '../../core/run.js';
import type { RunLedger } from '../../runtime/ledger/run-ledger.js';
import { mergedLines } from './merged-lines.js';
import { runLogFile, type LocalPaths } from './local-paths.js';

const FOLLOW_POLL_MS = 200;

/**
 * Replays the log of a local run, and with `follow` keeps reading as it
 * grows until the run ends. The last frame is the run's result, once the
 * ledger has it.
 *
 * @throws UsageError when the stage has no run with that id.
 */
async function* localLogs(paths: LocalPaths, ledger: RunLedger, runId: string, options: LogsOptions = {}): AsyncGenerator<RunFrame> {
  const file = runLogFile(paths, runId);
  let record = await ledger.get(runId);
  if (record === undefined && !existsSync(file)) {
    throw new UsageError(`No run ${JSON.stringify(runId)} on stage local.`, { hint: 'List the runs with: cnf-admin runs --stage local' });
  }
  let offset = 0;
  for (;;) {
    const size = existsSync(file) ? (await stat(file)).size : 0;
    if (size > offset) {
      for await (const line of mergedLines([createReadStream(file, { start: offset, end: size - 1 })])) yield { type: 'log', line };
      offset = size;
    }
    const current = await ledger.get(runId);
    record = current === undefined ? undefined : settledRecord(current);
    if (record?.endedAt !== undefined) {
      yield { type: 'result', result: resultOfRecord(record) };
      return;
    }
    if (options.follow !== true || options.signal?.aborted === true) {
      yield {
        type: 'notice',
        message: `Run ${runId} is still in progress. Follow it with: cnf-admin logs ${runId} --stage local --follow`,
      };
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
  }
}

export { localLogs };
