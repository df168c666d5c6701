/**
 * Signed room tokens: base64url(JSON claims) "." base64url(HMAC-SHA256(secret, claims part)).
 * A token grants one role in one room until it expires.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROLES, ROOM_NAME, type Role, type TokenClaims } from '../contract.ts';

export class TokenError extends Error {
  override name = 'TokenError';
}

export function signToken(secret: string, claims: TokenClaims): string {
  if (!ROOM_NAME.test(claims.room)) throw new TokenError(`invalid room name: ${claims.room}`);
  if (!ROLES.includes(claims.role)) throw new TokenError(`invalid role: ${claims.role}`);
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/** Returns the claims of a valid, unexpired token; throws TokenError saying why otherwise. */
export function verifyToken(secret: string, token: string, nowSeconds = Date.now() / 1000): TokenClaims {
  if (typeof token !== 'string' || token.length > 4096) throw new TokenError('malformed token');
  const dot = token.indexOf('.');
  if (dot <= 0) throw new TokenError('malformed token');
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = Buffer.from(sign(secret, body), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TokenError('bad token signature');
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    throw new TokenError('malformed token');
  }
  if (typeof claims !== 'object' || claims === null) throw new TokenError('malformed token claims');
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) throw new TokenError('token expired');
  if (!ROLES.includes(claims.role) || typeof claims.room !== 'string' || typeof claims.name !== 'string') {
    throw new TokenError('malformed token claims');
  }
  return claims;
}

function sign(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

/** Parses "30s", "15m", "12h", "7d" (or plain seconds) into seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new TokenError(`not a duration: ${text} (use e.g. 30m, 12h, 7d)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/**
 * The server's signing secret: RIFFROOM_SECRET when set, else the one kept in the data dir
 * (generated on first use, readable by the owner only).
 */
export function loadSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.RIFFROOM_SECRET) return env.RIFFROOM_SECRET;
  const path = join(dataDir, 'secret');
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    // Another process created it first: use theirs so tokens agree.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path, 'utf8').trim();
    throw err;
  }
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
