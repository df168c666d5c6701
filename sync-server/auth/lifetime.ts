/**
 * How long a token asked for should last: a duration as the CLI and the HTTP API take it ("90d",
 * "12h", "30m", or whole seconds as a string or, over HTTP, a JSON number), within a ceiling.
 */
import { parseDuration, TokenError } from './tokens.ts';

const DAY = 86_400;

/** "90 days", "12 hours", "45 minutes", "30 seconds": a ceiling said in words. */
export function inWords(seconds: number): string {
  const [amount, unit] =
    seconds % DAY === 0
      ? [seconds / DAY, 'day']
      : seconds % 3600 === 0
        ? [seconds / 3600, 'hour']
        : seconds % 60 === 0
          ? [seconds / 60, 'minute']
          : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/**
 * The lifetime in seconds `value` asks for, `fallback` when it is absent; throws TokenError saying
 * why for anything else: not a duration, zero, or longer than `max`.
 */
export function lifetimeSeconds(value: unknown, fallback: number, max: number, field = 'ttl'): number {
  if (value === undefined || value === null) return Math.min(fallback, max);
  let seconds: number;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TokenError(`${field} must be a whole number of seconds or a duration such as "90d"`);
    seconds = value;
  } else if (typeof value === 'string') {
    try {
      seconds = parseDuration(value);
    } catch {
      throw new TokenError(`${field}: not a duration: ${value.slice(0, 40)} (use e.g. 30m, 12h, 90d, or whole seconds)`);
    }
  } else {
    throw new TokenError(`${field} must be a whole number of seconds or a duration such as "90d"`);
  }
  if (seconds <= 0) throw new TokenError(`${field} must be longer than 0`);
  if (seconds > max) throw new TokenError(`${field} can be at most ${inWords(max)}`);
  return seconds;
}
