import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NODE_MAJOR } from '../core/node-runtime.js';
import { readJsonFile, writeFileAtomic } from '../core/files/atomic-file.js';
import type { CliIo } from './io.js';
import { writeNotice } from './render/run-view.js';
import type { StageContext } from './stage-context.js';

/** Which notices the project has seen on which day (UTC), in `.cnf/notices.json`. */
type SeenNotices = Readonly<Record<string, string>>;

const NOTICES_FILE = 'notices.json';

/**
 * Before a local run or console: says, in one line, that this machine's
 * Node differs from Lambda's, so that local results may differ. Only where
 * it matters (the local stage, where code runs on this machine's Node), and
 * once a day per project: the day it was said is kept in `.cnf/notices.json`.
 */
async function noteNodeVersion(
  io: CliIo,
  context: Pick<StageContext, 'platform' | 'project'>,
  today: string = new Date().toISOString().slice(0, 10),
): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (context.platform.kind !== 'local' || major === NODE_MAJOR) return;
  const file = join(context.project.stateDir, NOTICES_FILE);
  const key = `node-${major}`;
  const seen = await readSeen(file);
  if (seen[key] === today) return;
  writeNotice(io, `Node ${process.versions.node} runs here; Lambda runs Node ${NODE_MAJOR}, so results may differ.`);
  await mkdir(context.project.stateDir, { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify({ ...seen, [key]: today }, null, 2)}\n`);
}

async function readSeen(file: string): Promise<SeenNotices> {
  try {
    const seen = await readJsonFile<SeenNotices>(file);
    return typeof seen === 'object' && seen !== null ? seen : {};
  } catch (error) {
    // A damaged file costs a notice said once more, then it is written anew.
    if (error instanceof SyntaxError) return {};
    throw error;
  }
}

export { noteNodeVersion };
