import { describe, expect, it } from 'vitest';
import { cleanBacktrace } from '../../../lib/cli/render/backtrace.js';

describe('cleanBacktrace', () => {
  it("keeps the user's frames with project paths, and leaves out cnf-admin's, Node's and dependencies'", () => {
    const stack = [
      'Error: the seed data is wrong',
      '    at explode (/home/a/app/.cnf/local/releases/r-0123456789ab/bundle/lambda/tasks/seed.ts:18:9)',
      '    at Object.run (/home/a/app/.cnf/local/releases/r-0123456789ab/bundle/lambda/tasks/seed.ts:25:5)',
      '    at runTask (/home/a/app/node_modules/cnf-admin/lib/runtime/run-task.ts:109:12)',
      '    at async query (/home/a/app/.cnf/local/releases/r-0123456789ab/bundle/node_modules/pg/lib/client.js:1:1)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at async Runtime.handler (file:///var/task/lambda/tasks/migrate.ts:7:3)',
    ].join('\n');
    expect(cleanBacktrace(stack)).toBe(
      [
        'Error: the seed data is wrong',
        '    at explode (lambda/tasks/seed.ts:18:9)',
        '    at Object.run (lambda/tasks/seed.ts:25:5)',
        '    at async Runtime.handler (lambda/tasks/migrate.ts:7:3)',
      ].join('\n'),
    );
  });

  it('gives the project path of a frame whose project directory has a space in its path', () => {
    const stack = [
      'Error: kaboom',
      '    at Object.run (/tmp/my app/.cnf/local/releases/r-0123456789ab/bundle/lambda/tasks/bad.ts:7:38)',
      '    at /tmp/my app/.cnf/local/releases/r-0123456789ab/bundle/lambda/tasks/bad.ts:9:1',
      '    at async run (file:///tmp/my%20app/.cnf/local/releases/r-0123456789ab/bundle/lambda/tasks/bad.ts:3:2)',
      '    at runTask (/tmp/my app/.cnf/local/releases/r-0123456789ab/bundle/node_modules/cnf-admin/lib/runtime/run-task.ts:151:12)',
    ].join('\n');
    expect(cleanBacktrace(stack)).toBe(
      [
        'Error: kaboom',
        '    at Object.run (lambda/tasks/bad.ts:7:38)',
        '    at lambda/tasks/bad.ts:9:1',
        '    at async run (lambda/tasks/bad.ts:3:2)',
      ].join('\n'),
    );
  });

  it('keeps a message of several lines, and a stack with no frame of the user keeps its message alone', () => {
    expect(cleanBacktrace('Error: two\nlines\n    at runTask (/opt/x/run-task.ts:1:1)')).toBe('Error: two\nlines');
  });
});
