/**
 * The static routes: the web client at /, model folders at /models/<id>/, with isolation
 * headers, MIME types and ETags; and nothing outside those folders, however the path is spelled.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from './server.ts';

let dir: string;
let server: RunningServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'riffroom-static-'));
  const web = join(dir, 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>riffroom</title>');
  writeFileSync(join(web, 'assets', 'main-ABCDEFGH.js'), 'console.log(1)');
  writeFileSync(join(web, 'inference-worker.js'), 'self.onmessage = () => {}');
  writeFileSync(join(web, 'ort.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  writeFileSync(join(web, '.env'), 'SECRET=1');
  writeFileSync(join(dir, 'secret.txt'), 'outside the web folder');
  symlinkSync(join(dir, 'secret.txt'), join(web, 'escape.txt'));
  mkdirSync(join(web, 'sub'));
  // A model folder reached through a symlink, as models/<id> is in this checkout.
  const realModel = join(dir, 'real-model');
  mkdirSync(realModel);
  writeFileSync(join(realModel, 'model.json'), '{"id":"m"}');
  writeFileSync(join(realModel, 'model.onnx'), Buffer.alloc(64, 7));
  symlinkSync(realModel, join(dir, 'model-link'));
  server = await startServer({
    dataDir: join(dir, 'data'),
    secret: 'static-test-secret-0123456789-abcdef',
    web: { webDir: web, models: [{ id: 'bandmate-v9', dir: join(dir, 'model-link') }] },
  });
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: the path goes out exactly as written (fetch would normalise '..' away). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('/ is the web client, cross-origin isolated, revalidated by ETag', async () => {
  const page = await get('/?room=my-song&token=abc');
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.equal(page.headers['cache-control'], 'no-cache');
  assert.equal(page.headers['referrer-policy'], 'no-referrer', 'the page URL carries a token: never sent on as a Referer');
  assert.match(page.body.toString(), /<title>riffroom/);
  const etag = page.headers.etag as string;
  assert.ok(etag);
  const again = await get('/', { 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.equal((await get('/index.html')).status, 200);
});

test('MIME types: JavaScript, wasm; hashed bundles are cached for good; HEAD has no body', async () => {
  const bundle = await get('/assets/main-ABCDEFGH.js');
  assert.equal(bundle.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(bundle.headers['cache-control'], 'public, max-age=31536000, immutable');
  const worker = await get('/inference-worker.js');
  assert.equal(worker.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(worker.headers['cache-control'], 'no-cache', 'unhashed names are revalidated');
  const wasm = await get('/ort.wasm', {}, 'HEAD');
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.equal(wasm.headers['content-length'], '4');
  assert.equal(wasm.body.length, 0);
});

test('a model folder is served at /models/<id>/, even through a symlinked folder', async () => {
  const card = await get('/models/bandmate-v9/model.json');
  assert.equal(card.status, 200);
  assert.equal(card.body.toString(), '{"id":"m"}');
  assert.equal(card.headers['cross-origin-embedder-policy'], 'require-corp');
  const weights = await get('/models/bandmate-v9/model.onnx');
  assert.equal(weights.headers['content-type'], 'application/octet-stream');
  assert.equal(weights.body.length, 64);
  assert.equal((await get('/models/other/model.json')).status, 404);
  assert.equal((await get('/models/bandmate-v9/')).status, 404);
});

test('nothing outside the folders: traversal in every spelling, hidden files, symlinks out, directories', async () => {
  const refused = [
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/assets%5c..%5c..%5csecret.txt',
    '/models/bandmate-v9/../../secret.txt',
    '/models/bandmate-v9/..%2f..%2fsecret.txt',
    '/models/..%2freal-model/model.json',
    '/%00index.html',
    '/index.html%00.js',
    '/.env',
    '/escape.txt',
    '/sub',
    '/sub/',
    '//etc/passwd',
    '/%',
  ];
  for (const path of refused) {
    const answer = await get(path);
    assert.equal(answer.status, 404, `${path} answered ${answer.status}`);
    assert.ok(!answer.body.toString().includes('outside the web folder'), path);
    assert.ok(!answer.body.toString().includes('SECRET'), path);
  }
});

test('the other routes are as before: health, API auth, websocket-only paths, unknown paths, other methods', async () => {
  assert.equal((await get('/healthz')).status, 200);
  assert.equal((await get('/api/rooms/my-song/history')).status, 401);
  assert.equal((await get('/my-song')).status, 404, 'a room path without an upgrade is not a file');
  const unknown = await get('/nothing-here');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.headers['referrer-policy'], 'no-referrer', 'on every response, not only files');
  assert.equal((await get('/', {}, 'POST')).status, 404);
});
