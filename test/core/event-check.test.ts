import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/core/errors.js';
import { taskInCatalog, UnknownTaskError, unknownTaskMessage, withoutHowToMigrate } from '../../lib/core/task-lookup.js';
import type { TaskCatalog } from '../../lib/core/task-catalog.js';
import { DEFAULT_MIGRATE_TASK } from '../../lib/core/migrate-task-name.js';

describe('unknownTaskMessage', () => {
  it('names the tasks of the release, and the one a typo away', () => {
    expect(unknownTaskMessage('helo', ['seed', 'hello'], 'r-0123456789ab')).toBe(
      'Unknown task "helo". Did you mean "hello"? Tasks in release r-0123456789ab: hello, seed.',
    );
  });

  it('says how to add a migrate task to a release that has none: the first command of the README, after an init without a database', () => {
    const message = unknownTaskMessage(DEFAULT_MIGRATE_TASK, ['hello'], 'r-0123456789ab');
    expect(message).toMatch(
      /^Unknown task "migrate"\. Tasks in release r-0123456789ab: hello\. To apply SQL migrations, add lambda\/tasks\/migrate\.ts/,
    );
    expect(message).toContain('export default defineMigrateTask() from cnf-admin/migrations');
    expect(message).toContain('cnf-admin init --database postgres');
    // a task file alone is not enough: the admin entry lists its tasks
    expect(message).toContain("list it in the tasks of lambda/admin.ts: migrate: () => import('./tasks/migrate.js')");
    // a typo of another task is only a typo
    expect(unknownTaskMessage(DEFAULT_MIGRATE_TASK, ['migrator'], 'r-0123456789ab')).not.toContain('To apply SQL migrations');
  });

  it('leaves the way to a migrate task out where the CLI names the module written and not listed, and keeps the rest', () => {
    expect(withoutHowToMigrate(unknownTaskMessage(DEFAULT_MIGRATE_TASK, ['hello'], 'r-0123456789ab'))).toBe(
      'Unknown task "migrate". Tasks in release r-0123456789ab: hello.',
    );
    expect(withoutHowToMigrate(unknownTaskMessage('helo', ['hello'], 'r-0123456789ab'))).toBe(
      unknownTaskMessage('helo', ['hello'], 'r-0123456789ab'),
    );
  });
});

describe('taskInCatalog', () => {
  const catalog: TaskCatalog = {
    tasks: [{ name: 'hello', description: 'says hello', args: { type: 'object' }, lock: false }],
    scripts: [],
  };

  it('refuses a task the release lacks with an UnknownTaskError (64), in the words of the admin function', () => {
    expect(() => taskInCatalog(catalog, 'r-0123456789ab', 'helo')).toThrow(UnknownTaskError);
    expect(() => taskInCatalog(catalog, 'r-0123456789ab', 'helo')).toThrow(unknownTaskMessage('helo', ['hello'], 'r-0123456789ab'));
  });

  it('refuses a script the release lacks with another usage error: it is no unknown task', () => {
    const refusal = (() => {
      try {
        return taskInCatalog(catalog, 'r-0123456789ab', 'scripts/fix.ts');
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(UsageError);
    expect(refusal).not.toBeInstanceOf(UnknownTaskError);
  });
});
