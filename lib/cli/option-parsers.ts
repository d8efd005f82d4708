import { InvalidArgumentError } from 'commander';
import { ALIAS_NAME_RULE, isAliasName } from '../core/alias-name.js';
import { isValidRunId } from '../core/run.js';
import type { OptionParser } from './option.js';

/** `--port`: a TCP port, 0 (the system picks a free one) to 65535. */
const portNumber: OptionParser<number> = (text, flag) => {
  const port = Number(text);
  if (text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`${flag} takes a port number 0-65535, got: ${JSON.stringify(text)}`);
  return port;
};

/** `--limit`: a whole number of at least 1 (and no more than JavaScript counts exactly). */
const positiveInteger: OptionParser<number> = (text, flag) => {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError(`${flag} takes a whole number of at least 1, got: ${JSON.stringify(text)}`);
  return value;
};

/** `--task` of a filter: a task's name, not empty. */
const taskNameText: OptionParser<string> = (text, flag) => {
  if (text.trim() === '') throw new InvalidArgumentError(`${flag} takes a task's name, got nothing.`);
  return text;
};

/** `-e` of `console`: code to evaluate, not empty (an empty variable in `-e "$CODE"`). */
const codeText: OptionParser<string> = (text, flag) => {
  if (text.trim() === '') throw new InvalidArgumentError(`${flag} takes the code to evaluate, got nothing.`);
  return text;
};

/** `--run-id`: an id a retry can give again (the ledger's rule, `isValidRunId`). */
const runIdText: OptionParser<string> = (text, flag) => {
  if (!isValidRunId(text))
    throw new InvalidArgumentError(`${flag} must be 1-128 letters, digits, '.', '_' or '-', got: ${JSON.stringify(text)}`);
  return text;
};

/** `--alias`: an alias pair's name (`isAliasName`), checked as the command line is read. */
const aliasNameText: OptionParser<string> = (text, flag) => {
  if (!isAliasName(text)) throw new InvalidArgumentError(`${flag} takes an alias name, ${ALIAS_NAME_RULE}, got: ${JSON.stringify(text)}`);
  return text;
};

/** `--account`: a 12-digit AWS account id. */
const accountId: OptionParser<string> = (text, flag) => {
  if (!/^\d{12}$/.test(text)) throw new InvalidArgumentError(`${flag} takes a 12-digit AWS account id, got: ${JSON.stringify(text)}`);
  return text;
};

/** A flag that takes one of a few words, e.g. `--config pinned|current`. */
function oneOf<const Choice extends string>(choices: readonly Choice[]): OptionParser<Choice> {
  return (text, flag) => {
    const choice = choices.find((known) => known === text);
    if (choice === undefined) {
      const named = choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1) ?? ''}`;
      throw new InvalidArgumentError(`${flag} takes ${named}, got: ${JSON.stringify(text)}`);
    }
    return choice;
  };
}

export { accountId, aliasNameText, codeText, oneOf, portNumber, positiveInteger, runIdText, taskNameText };
