import { spawn } from 'node:child_process';

/** The command that opens a URL in the desktop's browser, per platform. */
function openerFor(platform: NodeJS.Platform): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [] };
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""'] };
  return { command: 'xdg-open', args: [] };
}

/**
 * Opens `url` in the browser where one can be opened: a desktop session
 * (macOS, Windows, or a Linux with a display). Resolves to whether it tried;
 * the URL is printed either way.
 */
async function openBrowser(url: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  if (platform === 'linux' && env.DISPLAY === undefined && env.WAYLAND_DISPLAY === undefined) return false;
  const { command, args } = openerFor(platform);
  return new Promise((resolve) => {
    const child = spawn(command, [...args, url], { stdio: 'ignore', detached: true });
    // No opener installed is no failure: the printed URL stands.
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

export { openBrowser };
