/** The creator-token store with a fake cipher: encrypted on disk only, memory only without encryption. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerTokenStore, type SecretCipher } from './server-tokens-store.ts';

/** Reversible but not plain text (XOR), and switchable, like safeStorage on a system with or without a keyring. */
function fakeCipher(available = true): SecretCipher & { available: boolean } {
  return {
    available,
    isEncryptionAvailable() {
      return this.available;
    },
    encryptString: (plain) => Buffer.from(Buffer.from(`enc:${plain}`).map((b) => b ^ 0x5a)),
    decryptString(encrypted) {
      const text = Buffer.from(encrypted.map((b) => b ^ 0x5a)).toString();
      if (!text.startsWith('enc:')) throw new Error('cannot decrypt');
      return text.slice(4);
    },
  };
}

const TOKEN = 'eyJyb2xlIjoiY3JlYXRvciJ9.secret-signature-value';
const fileIn = () => join(mkdtempSync(join(tmpdir(), 'riffroom-tokens-')), 'server-tokens.json');

test('a token is kept encrypted: the file never holds it in plain text, and a new store reads it back', () => {
  const file = fileIn();
  const store = new ServerTokenStore(file, fakeCipher());
  assert.deepEqual(store.set('https://jam.example.org', TOKEN), { kept: true });
  const raw = readFileSync(file, 'utf8');
  assert.ok(!raw.includes(TOKEN) && !raw.includes('secret-signature'), raw);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(new ServerTokenStore(file, fakeCipher()).get('https://jam.example.org'), TOKEN);
  assert.equal(store.get('https://other.example.org'), null);
  assert.deepEqual(store.origins(), ['https://jam.example.org']);
  store.forget('https://jam.example.org');
  assert.equal(new ServerTokenStore(file, fakeCipher()).get('https://jam.example.org'), null);
});

test('without encryption nothing is written: the token lasts this run and the store says why', () => {
  const file = fileIn();
  const store = new ServerTokenStore(file, fakeCipher(false));
  const answer = store.set('https://jam.example.org', TOKEN);
  assert.equal(answer.kept, false);
  assert.match((answer as { reason: string }).reason, /not available on this system.*only until Riffroom quits/);
  assert.equal(existsSync(file), false);
  assert.equal(store.get('https://jam.example.org'), TOKEN);
  assert.equal(new ServerTokenStore(file, fakeCipher(false)).get('https://jam.example.org'), null);
  assert.equal(new ServerTokenStore(file, null).persistence().kept, false);
});

test('a token that no longer decrypts, or a damaged file, is dropped, not an error', () => {
  const file = fileIn();
  writeFileSync(file, JSON.stringify({ v: 1, tokens: { 'https://jam.example.org': Buffer.from('garbage').toString('base64') } }));
  const store = new ServerTokenStore(file, fakeCipher());
  assert.equal(store.get('https://jam.example.org'), null);
  assert.deepEqual(store.origins(), []);
  writeFileSync(file, '{not json');
  assert.equal(new ServerTokenStore(file, fakeCipher()).get('https://jam.example.org'), null);
  assert.deepEqual(new ServerTokenStore(file, fakeCipher()).set('https://jam.example.org', TOKEN), { kept: true });
});
