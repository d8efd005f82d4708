// The terminal tests drive the real CLI through tmux, as a person's terminal
// would. `npm test` runs this first: where tmux is missing and this machine
// can install Debian packages as root (a fresh CI or developer machine here),
// it installs it, so that nothing has to be installed by hand.
import { spawnSync } from 'node:child_process';

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

if (!has('tmux')) {
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    console.error('The terminal tests need tmux. Install it (e.g. `apt-get install tmux` or `brew install tmux`) and run npm test again.');
    process.exit(1);
  }
  console.error('Installing tmux for the terminal tests (apt-get) ...');
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'tmux'],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed (exit ${result.status}): install tmux by hand and run npm test again.`);
      process.exit(1);
    }
  }
}
