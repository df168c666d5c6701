/**
 * `riffroom-server init --data <dir> --public-url https://jam.example.org [--ttl 365d] [--name <who>]`:
 * sets up a hosted server's data dir and prints what to do next. It
 * - creates the data dir (readable by its owner only: it holds the songs and the secret) and the
 *   signing secret (auth/tokens.ts loadSecret: written whole or not at all, at least 32 bytes);
 * - keeps the public URL in <dir>/config.json (server-config.ts), where the server reads it;
 * - mints an admin token (a year unless --ttl says otherwise) and prints it with the commands
 *   that start the server, mint a creator token and create a room.
 * Run again on a data dir that has its secret, it keeps the secret (a new one would end every
 * token and link handed out so far), changes the public URL when given another, and mints a new
 * admin token (older ones stay valid until they expire: nothing revokes a token but a new secret).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ServerClaims } from '../contract.ts';
import { LIMITS } from '../limits.ts';
import { assertSecret, loadSecret, nameProblem, TokenError } from '../auth/tokens.ts';
import { mintServerToken } from '../auth/server-tokens.ts';
import { lifetimeSeconds } from '../auth/lifetime.ts';
import { ConfigError, parsePublicUrl, readServerConfig, writeServerConfig } from '../server-config.ts';

export interface InitOptions {
  dataDir: string;
  /** Required the first time; afterwards the one kept is used when absent. */
  publicUrl?: string;
  /** The admin token's lifetime in seconds. */
  ttlSeconds?: number;
  /** The admin's display name. */
  name?: string;
  env?: NodeJS.ProcessEnv;
  nowSeconds?: number;
}

export interface InitResult {
  dataDir: string;
  /** Where the signing secret is: a file this run made, a file kept from before, or RIFFROOM_SECRET. */
  secret: 'created' | 'kept' | 'environment';
  publicUrl: string;
  /** The public URL kept before, when this run changed it. */
  previousPublicUrl: string | null;
  /** Set for an http:// public URL. */
  warning: string | null;
  /**
   * The data dir held rooms but no secret file: its server signed with RIFFROOM_SECRET, and the
   * new secret file signs nothing that server accepts (that environment variable still wins).
   */
  roomsBeforeSecret: boolean;
  adminToken: string;
  claims: ServerClaims;
}

/** A usage mistake: the message says what to give instead. */
export class InitError extends Error {
  override name = 'InitError';
}

export function initDataDir(options: InitOptions): InitResult {
  const env = options.env ?? process.env;
  const dataDir = resolve(options.dataDir);
  const previous = readServerConfig(dataDir); // a config that cannot be read stops init before anything is written
  if (!options.publicUrl && !previous) {
    throw new InitError('--public-url <url> is required: the address people open, e.g. https://jam.example.org');
  }
  const publicUrl = options.publicUrl ? parsePublicUrl(options.publicUrl) : parsePublicUrl(previous!.publicUrl);
  const name = options.name ?? 'admin';
  const problem = nameProblem(name);
  if (problem) throw new InitError(`--name: ${problem}`);
  const ttlSeconds = options.ttlSeconds ?? LIMITS.serverTokens.adminDefaultSeconds;

  const fromEnvironment = Boolean(env.RIFFROOM_SECRET);
  if (fromEnvironment) assertSecret(env.RIFFROOM_SECRET, 'RIFFROOM_SECRET');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const hadSecret = existsSync(join(dataDir, 'secret'));
  const hadRooms = existsSync(join(dataDir, 'rooms')) && readdirSync(join(dataDir, 'rooms')).length > 0;
  const secretValue = loadSecret(dataDir, env); // never replaces a secret file that is there
  if (!previous || previous.publicUrl !== publicUrl.url) writeServerConfig(dataDir, { publicUrl: publicUrl.url });
  const { token, claims } = mintServerToken(secretValue, 'admin', name.trim(), ttlSeconds, options.nowSeconds);
  return {
    dataDir,
    secret: fromEnvironment ? 'environment' : hadSecret ? 'kept' : 'created',
    publicUrl: publicUrl.url,
    previousPublicUrl: previous && previous.publicUrl !== publicUrl.url ? previous.publicUrl : null,
    warning: publicUrl.warning,
    roomsBeforeSecret: !fromEnvironment && !hadSecret && hadRooms,
    adminToken: token,
    claims,
  };
}

/** What init prints: what it did, the admin token, and the next steps as commands to copy. */
export function initReport(result: InitResult): string {
  const data = shellQuote(result.dataDir);
  const url = result.publicUrl;
  const until = `${new Date(result.claims.exp * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const lines: string[] = [];
  if (result.secret === 'created') {
    lines.push(`Initialised ${result.dataDir}: a new signing secret is in ${join(result.dataDir, 'secret')}.`);
    lines.push('Keep it private and back it up with the rooms: every token and link is signed with it.');
  } else if (result.secret === 'kept') {
    lines.push(
      `${result.dataDir} was already initialised: its signing secret is kept (a new one would end every token and link handed out so far).`,
    );
    lines.push('A new admin token was made; earlier admin tokens stay valid until they expire.');
  } else {
    lines.push('The signing secret comes from RIFFROOM_SECRET (no secret file written): start the server with the same RIFFROOM_SECRET,');
    lines.push('or every token below is refused.');
  }
  lines.push(
    result.previousPublicUrl
      ? `Public URL changed: ${result.previousPublicUrl} -> ${url}: restart the server to use it (links handed out before still name the old one).`
      : `Public URL: ${url}`,
  );
  if (result.warning) lines.push(`Warning: ${result.warning}.`);
  if (result.roomsBeforeSecret) {
    lines.push('Warning: this data dir already held rooms but no secret file, so its server signed with RIFFROOM_SECRET.');
    lines.push('A server started with RIFFROOM_SECRET refuses the token below: run init again with the same RIFFROOM_SECRET set.');
  }
  const body = (json: string) => `-H 'content-type: application/json' -d '${json}'`;
  lines.push(
    '',
    `Admin token (valid until ${until}; whoever holds it can mint creators and create rooms, so keep it private):`,
    `  ${result.adminToken}`,
    '',
    'Next:',
    '1. Start the server:',
    url.startsWith('https:')
      ? `     riffroom-server --data ${data} --port 4455\n   behind a TLS proxy that forwards ${url} to 127.0.0.1:4455 (websockets included).`
      : `     riffroom-server --data ${data} --host 0.0.0.0 --port ${new URL(url).port || '80'}`,
    `   It answers to ${new URL(url).hostname} (from ${join(result.dataDir, 'config.json')}).`,
    '2. Keep the admin token in your shell:',
    `     export RIFFROOM_ADMIN='${result.adminToken}'`,
    '3. Mint a creator token for a teacher or band leader (they create rooms over HTTP, no shell needed):',
    `     curl -sS -X POST ${url}/api/creators -H "Authorization: Bearer $RIFFROOM_ADMIN" ${body('{"name":"Ms Rivera","ttl":"90d"}')}`,
    `   (or on this machine: riffroom-server token --data ${data} --server-role creator --name 'Ms Rivera')`,
    '4. Create a room with an admin or creator token (leave "room" out for a fresh name):',
    `     curl -sS -X POST ${url}/api/rooms -H "Authorization: Bearer $RIFFROOM_ADMIN" ${body('{"room":"band-practice","name":"Ms Rivera"}')}`,
    "   The answer holds the owner's link (open it to work in the room) and invite links for editors and viewers",
    '   (send them: each person gives their name when it opens).',
  );
  return lines.join('\n');
}

const USAGE = 'usage: riffroom-server init --data <dir> --public-url https://jam.example.org [--ttl 365d] [--name <who>]';

function readInitFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      'public-url': { type: 'string' },
      ttl: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean' },
    },
  }).values;
}

/** The command: parses `argv` (after "init"), prints the report; returns the exit status. */
export function runInit(argv: string[]): number {
  let values: ReturnType<typeof readInitFlags>;
  try {
    values = readInitFlags(argv);
  } catch (err) {
    console.error(`riffroom-server init: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.data) {
    console.error(`riffroom-server init: --data <dir> is required\n${USAGE}`);
    return 2;
  }
  try {
    const ttlSeconds = lifetimeSeconds(values.ttl, LIMITS.serverTokens.adminDefaultSeconds, LIMITS.serverTokens.maxSeconds, '--ttl');
    console.log(initReport(initDataDir({ dataDir: values.data, publicUrl: values['public-url'], ttlSeconds, name: values.name })));
    return 0;
  } catch (err) {
    if (err instanceof InitError || err instanceof ConfigError || err instanceof TokenError) {
      console.error(`riffroom-server init: ${err.message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

/** `text` as one shell word. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
