import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { provideNavigator, type NodeRuntime } from '../../../lib/platform/local/lambda-navigator.js';

const NODE_20_ON_LINUX: NodeRuntime = { version: 'v20.20.2', platform: 'linux', arch: 'x64' };

function navigatorOf(runtime: NodeRuntime): Record<string, unknown> {
  const target: { navigator?: Record<string, unknown> } = {};
  provideNavigator(target, runtime);
  if (target.navigator === undefined) throw new Error('no navigator was provided');
  return target.navigator;
}

describe('provideNavigator', () => {
  it('gives a Node without one the navigator Node 21 and later have, naming the Node that runs', () => {
    const navigator = navigatorOf(NODE_20_ON_LINUX);
    expect(navigator.userAgent).toBe('Node.js/20');
    expect(navigator.platform).toBe('Linux x86_64');
    expect(navigator.hardwareConcurrency).toBe(availableParallelism());
    expect(typeof navigator.language).toBe('string');
    expect(navigator.languages).toEqual([navigator.language]);
    expect(Object.isFrozen(navigator.languages)).toBe(true);
    expect(Object.prototype.toString.call(navigator)).toBe('[object Navigator]');
  });

  it("says the platform as Node's own navigator does", () => {
    expect(navigatorOf({ ...NODE_20_ON_LINUX, arch: 'arm64' }).platform).toBe('Linux arm64');
    expect(navigatorOf({ ...NODE_20_ON_LINUX, arch: 'ia32' }).platform).toBe('Linux i686');
    expect(navigatorOf({ ...NODE_20_ON_LINUX, platform: 'darwin', arch: 'arm64' }).platform).toBe('MacIntel');
    expect(navigatorOf({ ...NODE_20_ON_LINUX, platform: 'win32' }).platform).toBe('Win32');
    expect(navigatorOf({ ...NODE_20_ON_LINUX, platform: 'freebsd' }).platform).toBe('FreeBSD amd64');
    expect(navigatorOf({ ...NODE_20_ON_LINUX, platform: 'openbsd', arch: 'arm64' }).platform).toBe('OpenBSD arm64');
    expect(navigatorOf({ ...NODE_20_ON_LINUX, platform: 'sunos', arch: 'ia32' }).platform).toBe('SunOS i86pc');
    expect(navigatorOf({ ...NODE_20_ON_LINUX, platform: 'aix', arch: 'ppc64' }).platform).toBe('AIX');
    expect(navigatorOf({ ...NODE_20_ON_LINUX, platform: 'android', arch: 'arm64' }).platform).toBe('Android arm64');
  });

  it('is a global the code may replace, as Node lets it', () => {
    const target: { navigator?: unknown } = {};
    provideNavigator(target, NODE_20_ON_LINUX);
    expect(Object.getOwnPropertyDescriptor(target, 'navigator')).toMatchObject({ enumerable: true, configurable: true });
    target.navigator = 'replaced';
    expect(target.navigator).toBe('replaced');
  });

  it('leaves a navigator that is there alone', () => {
    const own = { userAgent: 'Node.js/22' };
    const target = { navigator: own };
    provideNavigator(target, NODE_20_ON_LINUX);
    expect(target.navigator).toBe(own);
  });
});
