import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyServerToken } from '../auth/server-tokens.ts';
import { LIMITS } from '../limits.ts';
import { ConfigError } from '../server-config.ts';
import { initDataDir, initReport, InitError, shellQuote } from './init.ts';

const noEnv = {};
const fresh = () => join(mkdtempSync(join(tmpdir(), 'riffroom-init-')), 'data dir');
const secretOf = (dir: string) => readFileSync(join(dir, 'secret'), 'utf8').trim();

test('init makes the data dir, its secret and config, and an admin token that verifies with that secret', () => {
  const dir = fresh();
  const now = Math.floor(Date.now() / 1000);
  const result = initDataDir({ dataDir: dir, publicUrl: 'https://jam.example.org/', env: noEnv });
  assert.equal(result.secret, 'created');
  assert.equal(statSync(dir).mode & 0o777, 0o700, "the data dir is its owner's alone");
  assert.equal(statSync(join(dir, 'secret')).mode & 0o777, 0o600);
  assert.ok(Buffer.byteLength(secretOf(dir)) >= LIMITS.secret.minBytes);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), { publicUrl: 'https://jam.example.org' });
  const claims = verifyServerToken(secretOf(dir), result.adminToken);
  assert.equal(claims.role, 'admin');
  assert.equal(claims.name, 'admin');
  assert.ok(Math.abs(claims.exp - (now + LIMITS.serverTokens.adminDefaultSeconds)) <= 2, 'a year by default');

  const report = initReport(result);
  assert.match(report, /a new signing secret is in .*secret/);
  assert.match(report, /Public URL: https:\/\/jam.example.org\n/);
  assert.ok(report.includes(`export RIFFROOM_ADMIN='${result.adminToken}'`));
  assert.ok(report.includes(`riffroom-server --data '${dir}' --port 4455`), 'the start command, the path quoted for the shell');
  assert.match(report, /curl -sS -X POST https:\/\/jam.example.org\/api\/creators -H "Authorization: Bearer \$RIFFROOM_ADMIN"/);
  assert.match(report, /curl -sS -X POST https:\/\/jam.example.org\/api\/rooms /);
  assert.doesNotMatch(report, /Warning/);
});

test('init again keeps the secret, mints a new admin token, and changes the public URL only when asked', () => {
  const dir = fresh();
  const first = initDataDir({ dataDir: dir, publicUrl: 'https://jam.example.org', env: noEnv });
  const secret = secretOf(dir);
  const again = initDataDir({ dataDir: dir, env: noEnv, ttlSeconds: 3600, name: 'Root' });
  assert.equal(again.secret, 'kept');
  assert.equal(secretOf(dir), secret, 'the secret is never replaced: every link would stop working');
  assert.equal(again.publicUrl, 'https://jam.example.org', 'the kept public URL');
  assert.equal(again.previousPublicUrl, null);
  assert.notEqual(again.adminToken, first.adminToken);
  const claims = verifyServerToken(secret, again.adminToken);
  assert.equal(claims.name, 'Root');
  assert.ok(claims.exp - claims.iat === 3600);
  verifyServerToken(secret, first.adminToken); // the first one still works
  assert.match(initReport(again), /already initialised: its signing secret is kept/);

  const moved = initDataDir({ dataDir: dir, publicUrl: 'http://192.168.1.20:4455', env: noEnv });
  assert.equal(secretOf(dir), secret);
  assert.equal(moved.previousPublicUrl, 'https://jam.example.org');
  const report = initReport(moved);
  assert.match(report, /Public URL changed: https:\/\/jam.example.org -> http:\/\/192.168.1.20:4455: restart the server/);
  assert.match(report, /Warning: http:\/\/192.168.1.20:4455 is plain http/);
  assert.match(report, /--host 0.0.0.0 --port 4455/);
});

test('init refuses a missing or bad public URL and a bad name before writing anything', () => {
  const dir = fresh();
  assert.throws(
    () => initDataDir({ dataDir: dir, env: noEnv }),
    (err: Error) => err instanceof InitError && /--public-url <url> is required/.test(err.message),
  );
  assert.throws(() => initDataDir({ dataDir: dir, publicUrl: 'https://jam.example.org/riffroom', env: noEnv }), ConfigError);
  assert.throws(
    () => initDataDir({ dataDir: dir, publicUrl: 'https://jam.example.org', name: '\u0007', env: noEnv }),
    /--name: a name cannot hold control characters/,
  );
  assert.equal(existsSync(dir), false, 'nothing was created');
});

test('a damaged config stops init before anything changes', () => {
  const dir = fresh();
  initDataDir({ dataDir: dir, publicUrl: 'https://jam.example.org', env: noEnv });
  const secret = secretOf(dir);
  writeFileSync(join(dir, 'config.json'), '{');
  assert.throws(() => initDataDir({ dataDir: dir, env: noEnv }), /config.json is not JSON/);
  assert.equal(secretOf(dir), secret);
});

test('with RIFFROOM_SECRET set, init signs with it and writes no secret file', () => {
  const dir = fresh();
  const env = { RIFFROOM_SECRET: 'an-environment-secret-of-at-least-32-bytes' };
  const result = initDataDir({ dataDir: dir, publicUrl: 'https://jam.example.org', env });
  assert.equal(result.secret, 'environment');
  assert.equal(existsSync(join(dir, 'secret')), false);
  verifyServerToken(env.RIFFROOM_SECRET, result.adminToken);
  assert.match(initReport(result), /comes from RIFFROOM_SECRET \(no secret file written\)/);
  const refused = fresh();
  assert.throws(
    () => initDataDir({ dataDir: refused, publicUrl: 'https://jam.example.org', env: { RIFFROOM_SECRET: 'short' } }),
    /RIFFROOM_SECRET is 5 bytes long/,
  );
  assert.equal(existsSync(refused), false);
});

test('shellQuote leaves plain paths alone and quotes the rest', () => {
  assert.equal(shellQuote('/srv/riffroom'), '/srv/riffroom');
  assert.equal(shellQuote('/tmp/data dir'), `'/tmp/data dir'`);
  assert.equal(shellQuote(`it's`), `'it'\\''s'`);
});

test('a data dir with rooms but no secret file is flagged: its server signed with RIFFROOM_SECRET', () => {
  const dir = fresh();
  mkdirSync(join(dir, 'rooms'), { recursive: true });
  writeFileSync(join(dir, 'rooms', 'old-song.riffroom'), '');
  const result = initDataDir({ dataDir: dir, publicUrl: 'https://jam.example.org', env: noEnv });
  assert.equal(result.roomsBeforeSecret, true);
  assert.match(initReport(result), /already held rooms but no secret file/);
  assert.equal(initDataDir({ dataDir: fresh(), publicUrl: 'https://jam.example.org', env: noEnv }).roomsBeforeSecret, false);
});
