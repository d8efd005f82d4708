import { invocationOf } from '../core/invocation-name.js';
import { COMMANDS } from './program.js';

/*
 * `cnf-admin` followed by one of its commands (or help's `[options]`): a
 * command line a message suggests, not the tool's name in a sentence.
 */
let suggested: RegExp | undefined;
function suggestedCommand(): RegExp {
  const names = COMMANDS.map((command) => command.name.replace(/[-]/g, '\\-')).join('|');
  suggested ??= new RegExp(`(^|[\\s(\`'"])(?<!npx )cnf-admin (?=(?:${names})(?:$|[\\s)\`'".,;:])|\\[options\\])`, 'g');
  return suggested;
}

/**
 * A message's text with the commands it suggests written the way the user
 * runs cnf-admin: `See the runs with: cnf-admin runs` becomes `… npx
 * cnf-admin runs`; `cnf-admin failed …` names the tool, and stays.
 */
function asInvoked(text: string, env: NodeJS.ProcessEnv): string {
  const invocation = invocationOf(env);
  if (invocation === 'cnf-admin') return text;
  return text.replace(suggestedCommand(), `$1${invocation} `);
}

export { asInvoked };
