import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenClaims } from '../contract.ts';
import { SecretError, TokenError, isRole, loadSecret, parseDuration, signToken, verifyToken } from './tokens.ts';

const SECRET = 'unit-test-secret-of-at-least-32-bytes';
const NOW = 1_700_000_000;
const claims: TokenClaims = { room: 'jam-1', role: 'editor', name: 'Ann', id: 'ann-1', exp: NOW + 3600, iat: NOW };

test('a signed token verifies to exactly its claims', () => {
  const token = signToken(SECRET, claims);
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'url-safe, two parts');
  assert.deepEqual(verifyToken(SECRET, token, NOW), claims);
  for (const role of ['owner', 'viewer'] as const) {
    assert.equal(verifyToken(SECRET, signToken(SECRET, { ...claims, role }), NOW).role, role);
  }
});

test('a token from another secret, or changed in any byte, is refused', () => {
  const token = signToken(SECRET, claims);
  assert.throws(() => verifyToken('other-secret-also-at-least-32-bytes', token, NOW), {
    name: 'TokenError',
    message: 'bad token signature',
  });
  const [body, sig] = token.split('.') as [string, string];
  // Promote ourselves to owner, keep the old signature.
  const forged = Buffer.from(JSON.stringify({ ...claims, role: 'owner' })).toString('base64url');
  assert.throws(() => verifyToken(SECRET, `${forged}.${sig}`, NOW), /bad token signature/);
  // Every single-character change of the body is caught, and so is every change of the signature
  // that changes its bytes (the last base64 character also carries 2 unused bits).
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let tried = 0;
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '.') continue;
    for (const swapped of alphabet) {
      if (swapped === token[i]) continue;
      const tampered = token.slice(0, i) + swapped + token.slice(i + 1);
      const [tBody, tSig] = tampered.split('.') as [string, string];
      if (tBody === body && Buffer.from(tSig, 'base64url').equals(Buffer.from(sig, 'base64url'))) continue;
      assert.throws(() => verifyToken(SECRET, tampered, NOW), TokenError, `changed at ${i} to ${swapped}`);
      tried++;
    }
  }
  assert.ok(tried > token.length * 60);
  assert.throws(() => verifyToken(SECRET, `${body}.`, NOW), /bad token signature/);
  assert.throws(() => verifyToken(SECRET, `${body}.${sig}x`, NOW), /bad token signature/);
});

test('only one spelling of a token is valid', () => {
  const token = signToken(SECRET, claims);
  const [body, sig] = token.split('.') as [string, string];
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // The same 32 signature bytes spelled differently: with padding, in standard base64, or with
  // the last character's 2 unused bits set. Node's decoder reads them all as the same bytes.
  const standard = Buffer.from(sig, 'base64url').toString('base64');
  const last = alphabet.indexOf(sig.at(-1)!);
  const otherSpellings = [
    `${sig}=`,
    standard.replace(/=+$/, ''),
    standard,
    ...[1, 2, 3].map((bits) => sig.slice(0, -1) + alphabet[last | bits]),
    ` ${sig}`,
    `${sig}\n`,
  ];
  for (const spelling of otherSpellings.filter((s) => s !== sig)) {
    assert.throws(() => verifyToken(SECRET, `${body}.${spelling}`, NOW), /bad token signature/, JSON.stringify(spelling));
  }
  assert.throws(() => verifyToken(SECRET, `${body}=.${sig}`, NOW), /malformed token/);
  assert.throws(() => verifyToken(SECRET, `${body}+.${sig}`, NOW), /malformed token/);
  assert.deepEqual(verifyToken(SECRET, token, NOW), claims);
});

test('every token names an identity: minted ids are unique, tokens without one are refused', async () => {
  const { id: _id, ...rest } = claims;
  const a = verifyToken(SECRET, signToken(SECRET, rest), NOW);
  const b = verifyToken(SECRET, signToken(SECRET, rest), NOW);
  assert.match(a.id, /^[A-Za-z0-9_-]{22}$/);
  assert.notEqual(a.id, b.id, 'two tokens for the same name are two people');
  assert.equal(verifyToken(SECRET, signToken(SECRET, { ...rest, id: 'given' }), NOW).id, 'given');
  assert.throws(() => signToken(SECRET, { ...rest, id: 'not ok!' }), /invalid identity id/);
  const { createHmac } = await import('node:crypto');
  const legacyBody = Buffer.from(JSON.stringify({ room: 'jam-1', role: 'owner', name: 'Ann', exp: NOW + 3600 })).toString('base64url');
  const legacy = `${legacyBody}.${createHmac('sha256', SECRET).update(legacyBody).digest('base64url')}`;
  assert.throws(() => verifyToken(SECRET, legacy, NOW), /names no identity/);
});

test('names are short and printable', () => {
  for (const name of ['', '   ', 'a\u0000b', 'line\nbreak', 'x'.repeat(65), 'bell\u0007']) {
    assert.throws(() => signToken(SECRET, { ...claims, name }), /invalid name/, JSON.stringify(name));
  }
  assert.equal(verifyToken(SECRET, signToken(SECRET, { ...claims, name: 'Zoë 🎸' }), NOW).name, 'Zoë 🎸');
});

test('an empty or short signing secret is refused, never used', () => {
  for (const secret of ['', 'short', 'x'.repeat(31)]) {
    assert.throws(() => signToken(secret, claims), SecretError, JSON.stringify(secret));
    assert.throws(() => verifyToken(secret, 'a.b', NOW), SecretError);
  }
  assert.ok(signToken('x'.repeat(32), claims));
});

test('malformed tokens are TokenErrors, never crashes', () => {
  for (const bad of ['', 'nodot', '.sig', 'a.b.c', 'x'.repeat(5000), '%%%.%%%']) {
    assert.throws(() => verifyToken(SECRET, bad, NOW), TokenError, JSON.stringify(bad.slice(0, 20)));
  }
  assert.throws(() => verifyToken(SECRET, 42 as unknown as string, NOW), TokenError);
});

test('signed garbage claims are refused with a clear reason', async () => {
  const { createHmac } = await import('node:crypto');
  const signed = (payload: string) => {
    const body = Buffer.from(payload).toString('base64url');
    return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
  };
  assert.deepEqual(verifyToken(SECRET, signed(JSON.stringify(claims)), NOW), claims, 'the hand-made signature matches');
  assert.throws(() => verifyToken(SECRET, signed('not json'), NOW), /malformed token/);
  assert.throws(() => verifyToken(SECRET, signed(JSON.stringify({ ...claims, role: 'admin' })), NOW), /malformed token claims/);
  assert.throws(() => verifyToken(SECRET, signed(JSON.stringify({ ...claims, room: 7 })), NOW), /malformed token claims/);
  assert.throws(() => verifyToken(SECRET, signed(JSON.stringify({ ...claims, exp: '9999999999' })), NOW), /expired/);
  assert.throws(() => verifyToken(SECRET, signed('null'), NOW), TokenError);
});

test('invite and renewUntil claims are signed and verified as given, and refused when malformed', async () => {
  const lifecycle: TokenClaims = { ...claims, invite: true, renewUntil: NOW + 86_400 };
  assert.deepEqual(verifyToken(SECRET, signToken(SECRET, lifecycle), NOW), lifecycle);
  assert.throws(() => signToken(SECRET, { ...claims, invite: false as unknown as true }), /invite must be true or absent/);
  assert.throws(() => signToken(SECRET, { ...claims, renewUntil: Infinity }), /renewUntil must be a time/);
  const { createHmac } = await import('node:crypto');
  const signed = (payload: object) => {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
  };
  for (const bad of [{ invite: 'yes' }, { invite: 1 }, { renewUntil: '2030' }, { renewUntil: null }, { iat: 'now' }]) {
    assert.throws(() => verifyToken(SECRET, signed({ ...claims, ...bad }), NOW), /malformed token claims/, JSON.stringify(bad));
  }
});

test('tokens expire at exp', () => {
  const token = signToken(SECRET, claims);
  assert.ok(verifyToken(SECRET, token, claims.exp - 1));
  assert.throws(() => verifyToken(SECRET, token, claims.exp), { name: 'TokenError', message: 'token expired' });
  assert.throws(() => verifyToken(SECRET, token, claims.exp + 1000), /expired/);
  // The default clock is the real one.
  const past = signToken(SECRET, { ...claims, exp: Math.floor(Date.now() / 1000) - 1 });
  assert.throws(() => verifyToken(SECRET, past), /expired/);
  const future = signToken(SECRET, { ...claims, exp: Math.floor(Date.now() / 1000) + 60 });
  assert.equal(verifyToken(SECRET, future).name, 'Ann');
});

test('signToken refuses claims the server would never accept', () => {
  assert.throws(() => signToken(SECRET, { ...claims, room: '../etc' }), /invalid room name/);
  assert.throws(() => signToken(SECRET, { ...claims, room: '' }), /invalid room name/);
  assert.throws(() => signToken(SECRET, { ...claims, role: 'admin' as never }), /invalid role/);
  assert.ok(isRole('viewer'));
  assert.ok(!isRole('admin'));
});

test('parseDuration reads s, m, h, d and plain seconds', () => {
  assert.equal(parseDuration('30'), 30);
  assert.equal(parseDuration('30s'), 30);
  assert.equal(parseDuration('15m'), 900);
  assert.equal(parseDuration('12h'), 43_200);
  assert.equal(parseDuration('7d'), 604_800);
  assert.equal(parseDuration(' 2h '), 7200);
  assert.equal(parseDuration('0'), 0);
  for (const bad of ['', 'h', '1.5h', '-1h', '1w', '12 h', '1h30m', 'abc']) {
    assert.throws(() => parseDuration(bad), { name: 'TokenError', message: /not a duration/ }, bad);
  }
});

test('loadSecret prefers RIFFROOM_SECRET, else generates one file that every later call shares', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'riffroom-secret-')), 'data');
  const fromEnv = 'from-env-'.padEnd(40, 'x');
  assert.equal(loadSecret(dir, { RIFFROOM_SECRET: fromEnv }), fromEnv);
  const first = loadSecret(dir, {});
  assert.ok(first.length >= 40, 'a 32-byte random secret');
  assert.equal(loadSecret(dir, {}), first, 'kept and reused');
  assert.equal(loadSecret(dir, { RIFFROOM_SECRET: '' }), first, 'an empty variable counts as unset');
  assert.equal(readFileSync(join(dir, 'secret'), 'utf8'), `${first}\n`);
  assert.equal(statSync(join(dir, 'secret')).mode & 0o777, 0o600, 'readable by the owner only');
  assert.notEqual(loadSecret(join(dir, 'elsewhere'), {}), first, 'another data dir, another secret');
  assert.deepEqual(readdirSync(dir).sort(), ['elsewhere', 'secret'], 'no temporary file left behind');
});

test('loadSecret refuses a short RIFFROOM_SECRET and an empty or short secret file, saying what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-secret-'));
  assert.throws(() => loadSecret(dir, { RIFFROOM_SECRET: 'hunter2' }), {
    name: 'SecretError',
    message: /RIFFROOM_SECRET is 7 bytes long; a signing secret needs at least 32/,
  });
  // A crash between creating the file and writing it left it empty: refused, not used as a key.
  writeFileSync(join(dir, 'secret'), '');
  assert.throws(() => loadSecret(dir, {}), { name: 'SecretError', message: /secret file .* is empty.*delete the file/s });
  writeFileSync(join(dir, 'secret'), '  \n');
  assert.throws(() => loadSecret(dir, {}), SecretError);
  writeFileSync(join(dir, 'secret'), 'abc\n');
  assert.throws(() => loadSecret(dir, {}), { name: 'SecretError', message: /3 bytes long/ });
  assert.equal(readFileSync(join(dir, 'secret'), 'utf8'), 'abc\n', 'the file is left as it was');
});
