import { describeThrown } from './thrown-value.js';

/**
 * What building a release's catalog throws when a task's or a script's
 * module fails to load: it names the module, says what the module threw,
 * and keeps that as its cause, whose stack points at the line in the app.
 *
 * @example
 * throw new ModuleLoadError('Task "purge"', error); // Task "purge" failed to load: SyntaxError: ...
 */
class ModuleLoadError extends Error {
  constructor(what: string, thrown: unknown) {
    const { name, message } = describeThrown(thrown);
    super(`${what} failed to load: ${name === 'Error' ? '' : `${name}: `}${message}`, { cause: thrown });
    this.name = 'ModuleLoadError';
  }
}

export { ModuleLoadError };
