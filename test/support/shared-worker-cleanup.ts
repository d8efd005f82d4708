/**
 * Run before each unit test file (vitest.config.ts, `setupFiles`). The unit
 * files share their worker processes (`isolate: false`): modules load once
 * per worker, not once per file. What one file changes in those modules, the
 * next file would inherit; after each file this puts back what tests change
 * without always undoing it:
 *
 * - the `send` of every AWS SDK client class that `aws-sdk-client-mock`
 *   stubbed (`mockClient(SSMClient)` stubs `SSMClient.prototype.send` for
 *   every instance, in every later file): restored through the sinon that
 *   aws-sdk-client-mock stubs with, the one it resolves itself;
 * - environment variables stubbed with `vi.stubEnv`, and fake timers.
 */
import { createRequire } from 'node:module';
import { afterAll, vi } from 'vitest';

interface SinonSandbox {
  restore(): void;
}

const clientMock = createRequire(import.meta.url).resolve('aws-sdk-client-mock');
const sinon = createRequire(clientMock)('sinon') as SinonSandbox;

// Each file starts with its own copy of the project's modules (lib/ holds state a Lambda process keeps,
// such as the config loader's client and cache); the dependencies under node_modules stay loaded.
vi.resetModules();

afterAll(() => {
  sinon.restore();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});
