import { describe, expect, it } from 'vitest';
import { containerTimeLimitSeconds, runtimeOf } from '../../lib/core/task-runtime.js';
import { defineTask } from '../../lib/runtime/define-task.js';
import type { TaskRuntime } from '../../lib/core/task-runtime.js';
import { describeTask } from '../../lib/runtime/task-registry.js';

describe('a task declares its runtime', () => {
  it('runs on Lambda unless it says otherwise, and the catalog says nothing of it then', () => {
    const task = defineTask({ name: 'quick', description: 'Quick', run: async () => undefined });
    expect(runtimeOf(task.options)).toBe('lambda');
    expect(describeTask(task)).not.toHaveProperty('runtime');
  });

  it("carries runtime: 'container' and its long timeout into the catalog", () => {
    const task = defineTask({
      name: 'backfill',
      description: 'Long',
      options: { runtime: 'container', timeoutSeconds: 4 * 3600 },
      run: async () => undefined,
    });
    expect(describeTask(task)).toMatchObject({ runtime: 'container', timeoutSeconds: 14_400 });
  });

  it('refuses a runtime it does not know, naming the option and the value', () => {
    expect(() =>
      defineTask({ name: 'odd', description: 'Odd', options: { runtime: 'ec2' as TaskRuntime }, run: async () => undefined }),
    ).toThrow('Task odd: options.runtime must be one of lambda, container, got: "ec2"');
  });

  it('gives a container task its timeout and a minute to record its end, or a day without one', () => {
    expect(containerTimeLimitSeconds({ timeoutSeconds: 7200 })).toBe(7260);
    expect(containerTimeLimitSeconds({})).toBe(24 * 3600 + 60);
  });
});
