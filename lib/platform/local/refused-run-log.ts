import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { RunFrame } from '../../core/platform.js';
import { isRefusal } from '../../core/run.js';
import type { RunLedger } from '../../runtime/ledger/run-ledger.js';
import { runLogFile, type LocalPaths } from './local-paths.js';

/**
 * The frames of a local run, leaving no log behind when the admin function
 * refused it and the ledger holds no run of its id: a refusal (an unknown
 * task, args that fail the schema) runs nothing, and a log file with no
 * record would read as a run for ever in progress. A log that was there
 * before (another run's, with that id) is left as it is.
 */
async function* withoutLogOfRefusal(
  frames: AsyncGenerator<RunFrame>,
  paths: LocalPaths,
  ledger: RunLedger,
  runId: string,
): AsyncGenerator<RunFrame> {
  const log = runLogFile(paths, runId);
  const ours = !existsSync(log);
  for await (const frame of frames) {
    if (frame.type === 'result' && ours && isRefusal(frame.result) && (await ledger.get(runId)) === undefined)
      await rm(log, { force: true });
    yield frame;
  }
}

export { withoutLogOfRefusal };
