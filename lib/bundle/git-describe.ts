import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The commit a deploy was made from, as `releases` shows it. */
interface GitDescription {
  /** The full commit sha of HEAD. */
  readonly sha: string;
  /** `git describe --always --dirty --tags` and the commit's subject: `v1.2-3-gabc1234-dirty: Add notes search`. */
  readonly description: string;
}

/**
 * The git commit of the checkout at `root`, or undefined outside a git
 * checkout (or without git): a deploy records it beside the release.
 */
async function describeGitCheckout(root: string): Promise<GitDescription | undefined> {
  try {
    const [log, describe] = await Promise.all([
      run('git', ['-C', root, 'log', '-1', '--format=%H%x00%s'], { timeout: 5000 }),
      run('git', ['-C', root, 'describe', '--always', '--dirty', '--tags'], { timeout: 5000 }),
    ]);
    const [sha = '', subject = ''] = log.stdout.trim().split('\0');
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    return { sha, description: `${describe.stdout.trim()}: ${subject}` };
  } catch {
    return undefined;
  }
}

export { describeGitCheckout };
export type { GitDescription };
