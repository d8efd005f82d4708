import { InvalidArgumentError } from 'commander';

const UNITS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600 };

/**
 * Reads a duration in seconds: `90`, `90s`, `5m`, `1h`, `1500ms`. A flag's
 * parser (`--wait-lock`), see `option.ts`.
 *
 * @throws InvalidArgumentError naming the flag and the value when it is not a duration.
 */
function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/.exec(text.trim());
  if (match === null) throw new InvalidArgumentError(`${flag} takes a duration such as 90s, 5m or 1h, got: ${JSON.stringify(text)}`);
  return Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1);
}

export { parseDuration };
