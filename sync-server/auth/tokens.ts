/**
 * Signed room tokens: base64url(JSON claims) "." base64url(HMAC-SHA256(secret, claims part)).
 * A token grants one role in one room, to one identity (its id), until it expires.
 *
 * Only one spelling of a token is valid: both parts use the unpadded base64url alphabet and the
 * signature must be the canonical encoding of its 32 bytes (Node's decoder would otherwise accept
 * padding, '+', '/' and stray bits as the same token). The secret must be at least
 * LIMITS.secret.minBytes long: an empty or short key makes tokens forgeable.
 */
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { ROLES, ROOM_NAME, type Role, type TokenClaims } from '../contract.ts';
import { LIMITS } from '../limits.ts';
import { readOptionalFile } from '../optional-file.ts';

export class TokenError extends Error {
  override name = 'TokenError';
}

/** A signing secret that must not be used (empty, short); the message says what to do. */
export class SecretError extends Error {
  override name = 'SecretError';
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** HMAC-SHA256 is 32 bytes: 43 unpadded base64url characters. */
const SIGNATURE_CHARS = 43;
const IDENTITY_ID = new RegExp(`^[A-Za-z0-9_-]{1,${LIMITS.tokens.maxIdChars}}$`);
/** C0 controls, DEL and C1 controls (\p{Cc}), line and paragraph separators. */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/** Claims to sign: the id and issue time are filled in when not given. */
export type ClaimsToSign = Omit<TokenClaims, 'id' | 'iat'> & { id?: string; iat?: number };

/** A new identity id: 16 random bytes, unique to one person. */
export function newIdentityId(): string {
  return randomBytes(16).toString('base64url');
}

/** Throws SecretError when `secret` is too short to sign with; `source` names where it came from. */
export function assertSecret(secret: unknown, source = 'the signing secret'): asserts secret is string {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new SecretError(
      `${source} is empty: tokens signed with it could be forged by anyone. Set a secret of at least ${LIMITS.secret.minBytes} random bytes`,
    );
  }
  const bytes = Buffer.byteLength(secret);
  if (bytes < LIMITS.secret.minBytes) {
    throw new SecretError(`${source} is ${bytes} bytes long; a signing secret needs at least ${LIMITS.secret.minBytes} random bytes`);
  }
}

/** The problem with a display name, or null when it is fine. */
export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || !name.trim()) return 'a name is required';
  if (name.length > LIMITS.tokens.maxNameChars) return `a name has at most ${LIMITS.tokens.maxNameChars} characters`;
  if (CONTROL.test(name)) return 'a name cannot hold control characters';
  return null;
}

export function signToken(secret: string, claims: ClaimsToSign): string {
  assertSecret(secret);
  if (!ROOM_NAME.test(claims.room)) throw new TokenError(`invalid room name: ${claims.room}`);
  if (!ROLES.includes(claims.role)) throw new TokenError(`invalid role: ${claims.role}`);
  const name = nameProblem(claims.name);
  if (name) throw new TokenError(`invalid name: ${name}`);
  const id = claims.id ?? newIdentityId();
  if (!isIdentityId(id)) throw new TokenError(`invalid identity id: ${id}`);
  if (!Number.isFinite(claims.exp)) throw new TokenError('exp must be a time in seconds');
  const lifecycle = lifecycleProblem(claims);
  if (lifecycle) throw new TokenError(lifecycle);
  const full: TokenClaims = { ...claims, id, iat: claims.iat ?? Math.floor(Date.now() / 1000) };
  return signClaims(secret, full);
}

/** base64url(JSON claims) "." signature: the one format of room and server tokens. */
export function signClaims(secret: string, claims: object): string {
  assertSecret(secret);
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/** Returns the claims of a valid, unexpired token; throws TokenError saying why otherwise. */
export function verifyToken(secret: string, token: string, nowSeconds = Date.now() / 1000): TokenClaims {
  const claims = verifiedClaims(secret, token) as unknown as TokenClaims;
  if ((claims as { scope?: unknown }).scope !== undefined)
    throw new TokenError('this is a server (admin or creator) token: it opens no room');
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) throw new TokenError('token expired');
  if (!ROLES.includes(claims.role) || typeof claims.room !== 'string' || nameProblem(claims.name)) {
    throw new TokenError('malformed token claims');
  }
  if (typeof claims.id !== 'string' || !isIdentityId(claims.id)) {
    throw new TokenError('the token names no identity (made by an older Riffroom?): ask for a new link');
  }
  if (lifecycleProblem(claims)) throw new TokenError('malformed token claims');
  return claims;
}

/**
 * The claims object of a token whose signature is valid (any kind of token: room or server);
 * throws TokenError otherwise. The caller checks the claims' shape and expiry.
 */
export function verifiedClaims(secret: string, token: string): Record<string, unknown> {
  assertSecret(secret);
  if (typeof token !== 'string' || token.length > LIMITS.tokens.maxChars) throw new TokenError('malformed token');
  const dot = token.indexOf('.');
  if (dot <= 0) throw new TokenError('malformed token');
  const body = token.slice(0, dot);
  const signature = token.slice(dot + 1);
  if (!BASE64URL.test(body)) throw new TokenError('malformed token');
  if (signature.length !== SIGNATURE_CHARS || !BASE64URL.test(signature)) throw new TokenError('bad token signature');
  const given = Buffer.from(signature, 'base64url');
  // The 43rd character carries 2 unused bits: only the canonical spelling (zeros there) counts.
  if (given.toString('base64url') !== signature) throw new TokenError('bad token signature');
  const expected = Buffer.from(sign(secret, body), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TokenError('bad token signature');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('malformed token');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new TokenError('malformed token claims');
  return claims as Record<string, unknown>;
}

/** What is wrong with the optional invite and renewUntil claims, or null. */
function lifecycleProblem(claims: { invite?: unknown; renewUntil?: unknown; iat?: unknown }): string | null {
  if (claims.invite !== undefined && claims.invite !== true) return 'invite must be true or absent';
  if (claims.renewUntil !== undefined && !(typeof claims.renewUntil === 'number' && Number.isFinite(claims.renewUntil))) {
    return 'renewUntil must be a time in seconds';
  }
  if (claims.iat !== undefined && !(typeof claims.iat === 'number' && Number.isFinite(claims.iat))) return 'iat must be a time in seconds';
  return null;
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
 * (generated on first use: 32 random bytes, readable by the owner only, written whole or not at
 * all). A secret that is empty or short is refused with SecretError saying what to do, never
 * used: an empty file (a crash between creating and writing it, before this was atomic) would let
 * anyone mint tokens.
 */
export function loadSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.RIFFROOM_SECRET) {
    assertSecret(env.RIFFROOM_SECRET, 'RIFFROOM_SECRET');
    return env.RIFFROOM_SECRET;
  }
  const path = join(dataDir, 'secret');
  const existing = readSecretFile(path);
  if (existing !== null) return existing;
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // Written to a temporary file, flushed, then linked into place: `secret` either does not exist
  // or holds the whole secret. link() fails when another process got there first: use theirs.
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${secret}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readSecretFile(path)!;
    throw err;
  } finally {
    rmSync(temp, { force: true });
  }
}

function readSecretFile(path: string): string | null {
  const text = readOptionalFile(path);
  if (text === null) return null;
  const secret = text.trim();
  try {
    assertSecret(secret, `the secret file ${path}`);
  } catch (err) {
    throw new SecretError(
      `${(err as Error).message}. If the server stopped while creating it, delete the file to make a new one (links signed with the old secret stop working)`,
    );
  }
  return secret;
}

export function isIdentityId(value: unknown): value is string {
  return typeof value === 'string' && IDENTITY_ID.test(value);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
