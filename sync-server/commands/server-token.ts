/**
 * `riffroom-server token --data <dir> --server-role admin|creator --name <who> [--ttl 90d]`:
 * prints a server token (auth/server-tokens.ts) made with the data dir's secret, for an operator
 * with a shell on the server (the others ask an admin: POST /api/creators).
 *
 * Unlike room tokens, it never makes a secret: a data dir without one (a mistyped path, a server
 * not yet set up) is an error, not a new secret that no running server knows.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LIMITS } from '../limits.ts';
import { loadSecret, nameProblem, TokenError } from '../auth/tokens.ts';
import { isServerRole, mintServerToken } from '../auth/server-tokens.ts';
import { lifetimeSeconds } from '../auth/lifetime.ts';

const USAGE = 'usage: riffroom-server token --data <dir> --server-role admin|creator --name <who> [--ttl 90d]';

/** Whether a `token` command line asks for a server token rather than a room token. */
export function asksForServerToken(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--server-role' || arg.startsWith('--server-role='));
}

function readServerTokenFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    options: { data: { type: 'string' }, 'server-role': { type: 'string' }, name: { type: 'string' }, ttl: { type: 'string' } },
  }).values;
}

/** The command: parses `argv` (after "token"), prints the token; returns the exit status. */
export function runServerToken(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const fail = (message: string): number => {
    console.error(`riffroom-server token: ${message}\n${USAGE}`);
    return 2;
  };
  let values: ReturnType<typeof readServerTokenFlags>;
  try {
    values = readServerTokenFlags(argv);
  } catch (err) {
    return fail((err as Error).message);
  }
  const role = values['server-role'];
  if (!values.data) return fail('--data <dir> is required');
  if (!isServerRole(role)) return fail('--server-role must be admin or creator');
  const name = values.name ?? (role === 'admin' ? 'admin' : undefined);
  if (name === undefined) return fail('--name <who> is required for a creator: their name in the rooms they make');
  const problem = nameProblem(name);
  if (problem) return fail(`--name: ${problem}`);
  const fallback = role === 'admin' ? LIMITS.serverTokens.adminDefaultSeconds : LIMITS.serverTokens.creatorDefaultSeconds;
  let seconds: number;
  try {
    seconds = lifetimeSeconds(values.ttl, fallback, LIMITS.serverTokens.maxSeconds, '--ttl');
  } catch (err) {
    if (err instanceof TokenError) return fail(err.message);
    throw err;
  }
  if (!env.RIFFROOM_SECRET && !existsSync(join(values.data, 'secret'))) {
    return fail(`${values.data} has no secret: set the server up first (riffroom-server init --data ${values.data} --public-url <url>)`);
  }
  console.log(mintServerToken(loadSecret(values.data, env), role, name.trim(), seconds).token);
  return 0;
}
