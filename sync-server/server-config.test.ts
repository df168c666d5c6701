import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_FILE, ConfigError, configuredPublicUrl, parsePublicUrl, readServerConfig, writeServerConfig } from './server-config.ts';

test('a public URL is kept as its origin, with the name the server must answer to', () => {
  assert.deepEqual(parsePublicUrl('https://Jam.Example.org/'), {
    url: 'https://jam.example.org',
    hostName: 'jam.example.org',
    allowedHost: 'jam.example.org',
    warning: null,
  });
  assert.equal(parsePublicUrl(' https://jam.example.org:8443 ').url, 'https://jam.example.org:8443');
  assert.equal(parsePublicUrl('https://jam.example.org:443').url, 'https://jam.example.org', 'the default port is dropped');
  // IP literals and localhost are always answered to: nothing to add to the allowed hosts.
  assert.equal(parsePublicUrl('https://192.168.1.20:4455').allowedHost, null);
  assert.equal(parsePublicUrl('https://[::1]:4455').allowedHost, null);
  assert.equal(parsePublicUrl('https://localhost:4455').allowedHost, null);
});

test('plain http is accepted with a warning (a LAN server)', () => {
  const lan = parsePublicUrl('http://192.168.1.20:4455');
  assert.equal(lan.url, 'http://192.168.1.20:4455');
  assert.match(lan.warning!, /plain http: tokens and songs cross the network unencrypted. Use it on a LAN only/);
});

test('anything but the root of an http(s) server is refused, saying why', () => {
  for (const [text, why] of [
    ['jam.example.org', /not a URL/],
    ['ftp://jam.example.org', /must start with https:\/\//],
    ['wss://jam.example.org', /must start with https:\/\//],
    ['https://jam.example.org/riffroom', /without a path \(\/riffroom\)/],
    ['https://jam.example.org/?x=1', /cannot have a query/],
    ['https://jam.example.org/?', /cannot have a query/],
    ['https://jam.example.org/#top', /cannot have a fragment/],
    ['https://admin:pw@jam.example.org', /user name or password/],
    ['https://jam_example.org', /not a plain host name/],
  ] as const) {
    assert.throws(
      () => parsePublicUrl(text),
      (err: Error) => err instanceof ConfigError && why.test(err.message),
      text,
    );
  }
});

test('the config file is written whole and read back; a damaged one is refused with its path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffroom-config-'));
  assert.equal(readServerConfig(dir), null);
  assert.equal(configuredPublicUrl(dir), null);
  writeServerConfig(dir, { publicUrl: 'https://jam.example.org' });
  assert.deepEqual(readServerConfig(dir), { publicUrl: 'https://jam.example.org' });
  assert.equal(configuredPublicUrl(dir)!.allowedHost, 'jam.example.org');
  writeServerConfig(dir, { publicUrl: 'https://other.example.org' });
  assert.deepEqual(readdirSync(dir), [CONFIG_FILE], 'no temporary file left behind');
  assert.deepEqual(JSON.parse(readFileSync(join(dir, CONFIG_FILE), 'utf8')), { publicUrl: 'https://other.example.org' });
  for (const [text, why] of [
    ['{"publicUrl": ', /is not JSON/],
    ['null', /has no "publicUrl" string/],
    ['{"publicUrl": 4455}', /has no "publicUrl" string/],
    ['{"publicUrl": "https://jam.example.org/app"}', /config.json: the public URL must be the server's root/],
  ] as const) {
    writeFileSync(join(dir, CONFIG_FILE), text);
    assert.throws(
      () => readServerConfig(dir),
      (err: Error) => err instanceof ConfigError && why.test(err.message) && err.message.includes(dir),
      text,
    );
  }
});
