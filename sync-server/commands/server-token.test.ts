import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyServerToken } from '../auth/server-tokens.ts';
import { loadSecret } from '../auth/tokens.ts';
import { LIMITS } from '../limits.ts';
import { asksForServerToken, runServerToken } from './server-token.ts';

/** Runs the command, capturing what it prints. */
function run(argv: string[], env: NodeJS.ProcessEnv = {}): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const [log, error] = [console.log, console.error];
  console.log = (text: string) => void (out += `${text}\n`);
  console.error = (text: string) => void (err += `${text}\n`);
  try {
    return { status: runServerToken(argv, env), out, err };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

test('a server token command line is told from a room token one', () => {
  assert.equal(asksForServerToken(['token', '--data', 'd', '--server-role', 'admin']), true);
  assert.equal(asksForServerToken(['token', '--data', 'd', '--server-role=creator']), true);
  assert.equal(asksForServerToken(['token', '--data', 'd', '--room', 'r', '--role', 'owner']), false);
});

test("prints an admin or creator token signed with the data dir's secret", () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-server-token-'));
  const secret = loadSecret(dir, {});
  const admin = run(['--data', dir, '--server-role', 'admin']);
  assert.equal(admin.status, 0, admin.err);
  const adminClaims = verifyServerToken(secret, admin.out.trim());
  assert.deepEqual(
    [adminClaims.role, adminClaims.name, adminClaims.exp - adminClaims.iat],
    ['admin', 'admin', LIMITS.serverTokens.adminDefaultSeconds],
  );
  const creator = run(['--data', dir, '--server-role', 'creator', '--name', ' Ms Rivera ', '--ttl', '30d']);
  const claims = verifyServerToken(secret, creator.out.trim());
  assert.deepEqual([claims.role, claims.name, claims.exp - claims.iat], ['creator', 'Ms Rivera', 30 * 86_400]);
  const env = { RIFFROOM_SECRET: 'an-environment-secret-of-at-least-32-bytes' };
  verifyServerToken(env.RIFFROOM_SECRET, run(['--data', join(dir, 'elsewhere'), '--server-role', 'admin'], env).out.trim());
});

test('refuses, saying why: no secret, a bad role, name or lifetime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-server-token-'));
  loadSecret(dir, {});
  for (const [argv, why] of [
    [['--data', join(dir, 'typo'), '--server-role', 'admin'], /typo has no secret: set the server up first \(riffroom-server init --data/],
    [['--server-role', 'admin'], /--data <dir> is required/],
    [['--data', dir, '--server-role', 'owner'], /--server-role must be admin or creator/],
    [['--data', dir, '--server-role', 'creator'], /--name <who> is required for a creator/],
    [['--data', dir, '--server-role', 'creator', '--name', ''], /--name: a name is required/],
    [['--data', dir, '--server-role', 'admin', '--ttl', '10y'], /--ttl: not a duration: 10y/],
    [['--data', dir, '--server-role', 'admin', '--ttl', '1000d'], /--ttl can be at most 730 days/],
    [['--data', dir, '--server-role', 'admin', '--room', 'r'], /Unknown option '--room'/],
  ] as const) {
    const result = run([...argv]);
    assert.equal(result.status, 2, argv.join(' '));
    assert.equal(result.out, '', 'no token printed');
    assert.match(result.err, why, argv.join(' '));
  }
});
