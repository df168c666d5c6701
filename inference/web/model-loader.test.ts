import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { selfCheckTokens } from '../engine/self-check.ts';
import { ModelLoadError } from '../model-card.ts';
import { loadModelFolder } from '../node/model-folder.ts';
import { SHIPPED_MODEL_DIR } from '../node/shipped-model.ts';
import { VOCABULARY_SHA256 } from '../tokenizer/vocabulary-check.ts';
import { fetchBytesOverHttp, fetchModelFolder, loadWebModelFolder, sha256HexOf, type FetchBytes } from './model-loader.ts';

const SHIPPED_URL = pathToFileURL(SHIPPED_MODEL_DIR).href;
const readFileUrl: FetchBytes = async (url) => new Uint8Array(await readFile(new URL(url)));
const FILES = ['model.json', 'model.onnx', 'vocab.json', 'originality.bin'] as const;

/** The shipped folder in memory at a made-up URL, with some files replaced or (null) missing. */
function servedFolder(changes: Partial<Record<(typeof FILES)[number], Uint8Array | string | null>> = {}): {
  base: string;
  fetchBytes: FetchBytes;
} {
  const base = 'https://models.example/riffroom/';
  const files = new Map<string, Uint8Array>();
  for (const name of FILES) {
    const change = changes[name];
    if (change === null) continue;
    const bytes =
      change === undefined
        ? readFileSync(new URL(name, SHIPPED_URL))
        : typeof change === 'string'
          ? new TextEncoder().encode(change)
          : change;
    files.set(base + name, new Uint8Array(bytes));
  }
  return {
    base,
    fetchBytes: async (url) => {
      const bytes = files.get(url);
      if (!bytes) throw new Error('HTTP 404 Not Found');
      return bytes;
    },
  };
}

const shippedCard = (): Record<string, any> => JSON.parse(readFileSync(new URL('model.json', SHIPPED_URL), 'utf8'));

const namesFile =
  (url: string, pattern: RegExp) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof ModelLoadError, `a ModelLoadError, not ${String(e)}`);
    assert.equal(e.file, url);
    assert.ok(e.message.startsWith(`${url}: `), e.message);
    assert.match(e.message, pattern);
    return true;
  };

test('the shipped folder loads through a file-reading fetchBytes, every hash checked', async () => {
  const { card, weights, urls } = await fetchModelFolder(SHIPPED_URL, readFileUrl);
  assert.equal(card.vocabulary.sha256, VOCABULARY_SHA256);
  assert.equal(createHash('sha256').update(weights).digest('hex'), card.weights.sha256);
  assert.equal(urls.weights, new URL(card.weights.file, SHIPPED_URL).href);
  // A base URL without its trailing slash still names files inside the folder.
  const again = await fetchModelFolder(SHIPPED_URL.replace(/\/$/, ''), readFileUrl);
  assert.equal(again.urls.card, urls.card);
});

test('the shipped model opens on onnxruntime-web (wasm) and writes the native CPU self-check tokens', async () => {
  const web = await loadWebModelFolder(SHIPPED_URL, { fetchBytes: readFileUrl, threads: 1 });
  assert.equal(web.provider.name, 'wasm');
  assert.deepEqual(
    web.provider.tried.map((p) => p.name),
    ['wasm'],
    'Node has no navigator.gpu: wasm alone is tried',
  );
  const native = await loadModelFolder(SHIPPED_MODEL_DIR);
  assert.deepEqual(await selfCheckTokens(web.lm), await selfCheckTokens(native.lm));
});

test('weights that do not match the card are refused naming their URL', async () => {
  const weights = new Uint8Array(readFileSync(new URL('model.onnx', SHIPPED_URL)));
  weights[weights.length >> 1]! ^= 0xff;
  const { base, fetchBytes } = servedFolder({ 'model.onnx': weights });
  await assert.rejects(
    fetchModelFolder(base, fetchBytes),
    namesFile(`${base}model.onnx`, /sha256 is [0-9a-f]{64} but the model card records/),
  );
});

test('a corrupt ONNX file whose hash the card records is refused naming its URL, not a crash', async () => {
  const truncated = new Uint8Array(readFileSync(new URL('model.onnx', SHIPPED_URL)).subarray(0, 5000));
  const card = shippedCard();
  card.weights.sha256 = createHash('sha256').update(truncated).digest('hex');
  const { base, fetchBytes } = servedFolder({ 'model.onnx': truncated, 'model.json': JSON.stringify(card) });
  await assert.rejects(
    loadWebModelFolder(base, { fetchBytes, threads: 1 }),
    namesFile(`${base}model.onnx`, /onnxruntime could not load it/),
  );
});

test('the originality index comes with the folder; a replaced one is refused naming its URL', async () => {
  const { base, fetchBytes } = servedFolder();
  const files = await fetchModelFolder(base, fetchBytes);
  assert.ok(files.originality && files.originality.roles.lead.fingerprints.length > 0);
  const damaged = servedFolder({ 'originality.bin': new Uint8Array([82, 82, 73, 88, 2]) });
  await assert.rejects(
    fetchModelFolder(damaged.base, damaged.fetchBytes),
    namesFile(`${base}originality.bin`, /sha256 is [0-9a-f]{64} but the model card records/),
  );
  const missing = servedFolder({ 'originality.bin': null });
  await assert.rejects(fetchModelFolder(missing.base, missing.fetchBytes), namesFile(`${base}originality.bin`, /404/));
});

test('a missing card, vocabulary or weights file is refused naming its URL', async () => {
  for (const name of FILES) {
    const { base, fetchBytes } = servedFolder({ [name]: null });
    await assert.rejects(fetchModelFolder(base, fetchBytes), namesFile(`${base}${name}`, /cannot be read \(HTTP 404 Not Found\)/));
  }
  const nowhere = new URL('nowhere/', SHIPPED_URL).href;
  await assert.rejects(fetchModelFolder(nowhere, readFileUrl), namesFile(`${nowhere}model.json`, /cannot be read \(ENOENT\)/));
});

test('a broken card or another vocabulary is refused naming the file', async () => {
  const broken = servedFolder({ 'model.json': '{"id": 3' });
  await assert.rejects(fetchModelFolder(broken.base, broken.fetchBytes), namesFile(`${broken.base}model.json`, /not valid JSON/));
  const empty = servedFolder({ 'model.json': '{"id": "x"}' });
  await assert.rejects(fetchModelFolder(empty.base, empty.fetchBytes), namesFile(`${empty.base}model.json`, /weights entry/));
  const vocab = JSON.parse(readFileSync(new URL('vocab.json', SHIPPED_URL), 'utf8'));
  vocab.tokens.reverse();
  const reversed = servedFolder({ 'vocab.json': `${JSON.stringify(vocab, null, 2)}\n` });
  await assert.rejects(fetchModelFolder(reversed.base, reversed.fetchBytes), namesFile(`${reversed.base}vocab.json`, /sha256 is/));
});

test('the default fetch turns an HTTP error status into a ModelLoadError naming the URL', async (t) => {
  const server = createServer((req, res) => {
    const name = req.url!.slice(1);
    if (name === 'model.onnx') return void res.writeHead(500, 'Internal Server Error').end();
    try {
      res.end(readFileSync(new URL(name, SHIPPED_URL)));
    } catch {
      res.writeHead(404, 'Not Found').end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  await assert.rejects(fetchModelFolder(base), namesFile(`${base}model.onnx`, /cannot be read \(HTTP 500 Internal Server Error\)/));
  assert.deepEqual(await fetchBytesOverHttp(`${base}model.json`), new Uint8Array(readFileSync(new URL('model.json', SHIPPED_URL))));
});

test('sha256HexOf hashes exactly the bytes of a view, not its whole buffer', async () => {
  const buffer = new Uint8Array(1000).map((_, i) => i * 7);
  const view = buffer.subarray(10, 900);
  assert.equal(await sha256HexOf(view), createHash('sha256').update(view).digest('hex'));
  assert.equal(await sha256HexOf(buffer), createHash('sha256').update(buffer).digest('hex'));
});
