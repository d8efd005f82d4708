import { availableParallelism } from 'node:os';

/** What {@link provideNavigator} reads of the process: its Node version, platform and architecture. */
interface NodeRuntime {
  readonly version: string;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
}

/* Node's own answer (lib/internal/navigator.js): what a browser on the same machine would say. */
function navigatorPlatform({ platform, arch }: NodeRuntime): string {
  const bsd = (name: string): string => `${name} ${arch === 'ia32' ? 'i386' : arch === 'x64' ? 'amd64' : arch}`;
  if (platform === 'darwin') return 'MacIntel';
  if (platform === 'win32') return 'Win32';
  if (platform === 'linux') return `Linux ${arch === 'ia32' ? 'i686' : arch === 'x64' ? 'x86_64' : arch}`;
  if (platform === 'freebsd') return bsd('FreeBSD');
  if (platform === 'openbsd') return bsd('OpenBSD');
  if (platform === 'sunos') return `SunOS ${arch === 'ia32' ? 'i86pc' : arch}`;
  if (platform === 'aix') return 'AIX';
  return `${platform.charAt(0).toUpperCase()}${platform.slice(1)} ${arch}`;
}

/**
 * Gives a local run's process the `navigator` global that Lambda's Node has
 * (`nodejs22.x`: Node 21 added it) when the local Node lacks it (Node 20),
 * with Node's own fields: `hardwareConcurrency`, `language`, `languages`,
 * `platform` and `userAgent` (`Node.js/20`: it names the Node that runs).
 * Code that looks for it then takes the branch it takes on Lambda. One
 * such is pg: without `navigator`, it builds a `Response` to tell whether
 * it runs on Cloudflare, which loads Node's fetch implementation, 15 to
 * 20 ms of every run that uses the database. Where Node has its own, it
 * stays.
 *
 * @param target - the global object (`globalThis`)
 * @param runtime - the process (`process`)
 */
function provideNavigator(target: object = globalThis, runtime: NodeRuntime = process): void {
  if ('navigator' in target) return;
  const major = runtime.version.slice(1).split('.')[0] ?? '';
  // Asked for when read, as Node does: ICU's locale data loads only then.
  let language: string | undefined;
  let languages: readonly string[] | undefined;
  const languageOnce = (): string => (language ??= new Intl.Collator().resolvedOptions().locale || 'en-US');
  class Navigator {
    get [Symbol.toStringTag](): string {
      return 'Navigator';
    }
    get hardwareConcurrency(): number {
      return availableParallelism();
    }
    get language(): string {
      return languageOnce();
    }
    get languages(): readonly string[] {
      return (languages ??= Object.freeze([languageOnce()]));
    }
    get platform(): string {
      return navigatorPlatform(runtime);
    }
    get userAgent(): string {
      return `Node.js/${major}`;
    }
  }
  let navigator: unknown = new Navigator();
  Object.defineProperty(target, 'navigator', {
    get: () => navigator,
    set: (value: unknown) => {
      navigator = value;
    },
    enumerable: true,
    configurable: true,
  });
}

export { provideNavigator };
export type { NodeRuntime };
