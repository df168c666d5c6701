/**
 * The Web Worker host in a real browser: Debian's Chromium, driven by playwright-core, runs the
 * built inference-worker.js on real onnxruntime-web (wasm, threaded: the page is cross-origin
 * isolated) with the shipped model, all served by a local HTTP server. A page talks to the worker
 * through InferenceClient + workerTransport, exactly as the renderer will: it loads, streams a
 * riff, cancels between decode steps, serves a second client over a MessagePort, reports a corrupt
 * model by file, and writes what the Node engine writes.
 */
import { decodeIndex } from '../inference/originality/index-file.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import * as esbuild from 'esbuild';
import * as ortNode from 'onnxruntime-node';
import type { Browser } from 'playwright-core';
import { ticksPerBar } from '../core/time.ts';
import type { HostInfo } from '../inference/client.ts';
import type { HostMessage } from '../inference/contract.ts';
import { CausalLm, type TensorConstructor } from '../inference/engine/causal-lm.ts';
import { Engine } from '../inference/engine/engine.ts';
import type { GenerationRequest, GenerationResult, StreamedEvent } from '../inference/engine/request.ts';
import { funkBass } from './support/funk-bass.ts';
import { selfCheckTokens } from '../inference/engine/self-check.ts';
import { loadModelFolder } from '../inference/node/model-folder.ts';
import { SHIPPED_MODEL_DIR } from '../inference/node/shipped-model.ts';
import { PITCH_RANGES } from '../inference/tokenizer/vocabulary.ts';
import { WORKER_FILE, buildInferenceWorker, webBundleOptions } from '../inference/web/build.ts';
import { WEB_SESSION_OPTIONS } from '../inference/web/session.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
// Chromium's software WebGPU adapter (SwiftShader) stands in for a GPU: slow, but the same code path.
const CHROMIUM_WEBGPU_ARGS = [
  ...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'),
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-unsafe-swiftshader',
];
const SLOW = { timeout: 240_000 };
const WORKER_PATH = `/worker/${WORKER_FILE}`;

const bass = funkBass;

interface WireErrorLike {
  name: string;
  message: string;
}
type InPage = <A, R>(fn: (arg: A) => Promise<R>, arg: A) => Promise<R>;

if (!existsSync(CHROMIUM)) {
  test('the inference worker in Chromium', (t) => {
    t.skip(`${CHROMIUM} is not installed (bash scripts/setup-browser.sh installs it as root with apt)`);
  });
} else {
  describe('the inference worker in Chromium', { timeout: 900_000 }, () => {
    let out: string;
    let server: Server;
    let origin: string;
    let browser: Browser;
    let inPage: InPage;
    const served: string[] = [];
    const foreign: string[] = [];

    /** A browser with the test page open; `inPage` runs a function there. */
    async function openPage(args: string[]): Promise<{ browser: Browser; inPage: InPage }> {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args });
      const context = await browser.newContext();
      // The worker and the runtime must come from us alone: no CDN, nothing outside the origin.
      context.on('request', (request) => void (request.url().startsWith(origin) || foreign.push(request.url())));
      const page = await context.newPage();
      const console_: string[] = [];
      page.on('console', (m) => void console_.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => void console_.push(`pageerror: ${e.message}`));
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => 'riffroomInference' in globalThis);
      const run: InPage = async (fn, arg) => {
        try {
          // Playwright types its argument as a serialised copy (Unboxed<A>); plain data is itself.
          return await page.evaluate(fn as unknown as (arg: unknown) => Promise<never>, arg as unknown);
        } catch (error) {
          // Failures come back with the page's console (the workers' logs included) for context.
          throw new Error(`${(error as Error).message}\n--- page console ---\n${console_.join('\n')}`);
        }
      };
      return { browser, inPage: run };
    }

    before(async () => {
      out = mkdtempSync(join(tmpdir(), 'riffroom-web-'));
      await buildInferenceWorker(join(out, 'worker'));
      await bundle(join(out, 'page.js'), PAGE_ENTRY);
      await bundle(join(out, 'self-check-worker.js'), SELF_CHECK_ENTRY);
      ({ server, origin } = await serve(out, served));
      ({ browser, inPage } = await openPage(CHROMIUM_ARGS));
    });

    after(async () => {
      await browser?.close();
      server?.close();
      if (out) rmSync(out, { recursive: true, force: true });
    });

    test(
      "a worker configured by its URL loads the model, streams a 4-bar bass riff, and writes the Node engine's notes",
      SLOW,
      async (t) => {
        const config = { modelUrl: `${origin}/models/shipped/`, wasmUrl: `${origin}/worker/` };
        const request = bass();
        const got = await inPage(
          async ({ config, request, scriptPath }) => {
            const { InferenceClient, workerTransport, workerUrlWithConfig } = globalThis.riffroomInference;
            const started = performance.now();
            const worker = new Worker(workerUrlWithConfig(new URL(scriptPath, location.href), config), { type: 'module' });
            const workerErrors: string[] = [];
            worker.addEventListener('error', (e: { message?: string }) => workerErrors.push(e.message ?? 'worker error'));
            const client = new InferenceClient();
            client.attach(workerTransport(worker));
            globalThis.__inference = { worker, client };
            const info: HostInfo = await client.ready();
            const readyMs = performance.now() - started;
            const streamed: StreamedEvent[] = [];
            let firstNoteMs: number | null = null;
            const asked = performance.now();
            const result = await client.generate(request, {
              onNote: (e: StreamedEvent) => {
                firstNoteMs ??= performance.now() - asked;
                streamed.push(e);
              },
            });
            const wallMs = performance.now() - asked;
            // One variation, as a person asking for a riff would, timed on a warm worker.
            const single: number[] = [];
            for (let seed = 1; seed <= 3; seed++) {
              const t0 = performance.now();
              await client.generate({ ...request, variations: 1, seed });
              single.push(performance.now() - t0);
            }
            return { info, readyMs, result, streamed, firstNoteMs, wallMs, single, workerErrors, isolated: crossOriginIsolated };
          },
          { config, request, scriptPath: WORKER_PATH },
        );

        assert.deepEqual(got.workerErrors, []);
        assert.equal(got.isolated, true, 'the page is cross-origin isolated, so wasm may use threads');
        assert.equal(got.info.provider.name, 'wasm', '--disable-gpu: WebGPU has no adapter');
        const webgpu = got.info.provider.tried.find((p) => p.name === 'webgpu');
        assert.match(webgpu?.reason ?? '', /no WebGPU adapter/, 'WebGPU is passed over on the adapter check, before any session');
        assert.equal(got.info.provider.tried.at(-1)?.name, 'wasm');
        assert.ok(
          got.info.provider.tried.slice(0, -1).every((p) => !p.ok && p.reason),
          `every provider passed over says why: ${JSON.stringify(got.info.provider.tried)}`,
        );
        assert.equal(got.info.model.sha256, JSON.parse(readFileSync(join(SHIPPED_MODEL_DIR, 'model.json'), 'utf8')).weights.sha256);
        checkRiff(request, got.result);
        assert.equal(got.result.provenance.provider, 'wasm');
        for (let v = 0; v < request.variations; v++) {
          const streamed = got.streamed.filter((e) => e.variation === v).map((e) => ('note' in e ? e.note : null));
          assert.deepEqual(
            sortNotes(streamed),
            sortNotes(got.result.variations[v]!.notes),
            `variation ${v}: streamed notes are the result's notes`,
          );
        }
        t.diagnostic(
          `worker ready in ${Math.round(got.readyMs)} ms (load ${got.info.model.loadMs} ms, providers ${JSON.stringify(got.info.provider.tried)})`,
        );
        t.diagnostic(
          `4-bar bass, 2 variations: first note ${Math.round(got.firstNoteMs ?? -1)} ms, done ${Math.round(got.wallMs)} ms in the page (engine ${Math.round(got.result.provenance.timing.totalMs)} ms, ${Math.round(got.result.provenance.timing.tokensPerSecond)} tokens/s)`,
        );
        t.diagnostic(`4-bar bass, 1 variation, warm: ${got.single.map((ms) => Math.round(ms)).join(', ')} ms`);

        // The same engine, request and seed on onnxruntime-node's CPU provider with the web session's
        // graph settings writes the same notes: wasm and native float rounding (~1e-5 on the logits)
        // leave every sampled token alone. The Node host itself (loadModelFolder) runs the int8
        // weights through int8 kernels that quantize activations too (~0.05 on the logits), which
        // changes sampled notes; against it the greedy self-check tokens are compared (next test).
        const weights = readFileSync(join(SHIPPED_MODEL_DIR, 'model.onnx'));
        const card = JSON.parse(readFileSync(join(SHIPPED_MODEL_DIR, 'model.json'), 'utf8'));
        const session = await ortNode.InferenceSession.create(weights, {
          ...WEB_SESSION_OPTIONS,
          executionProviders: ['cpu'],
          intraOpNumThreads: 1,
        });
        t.after(() => session.release());
        // With the same originality index, so each variation carries the same copy report.
        const originality = decodeIndex(readFileSync(join(SHIPPED_MODEL_DIR, card.originality.file)));
        const native = new Engine(
          new CausalLm(session, card.shape, ortNode.Tensor as unknown as TensorConstructor),
          { id: card.id, sha256: card.weights.sha256 },
          'cpu',
          undefined,
          originality,
        );
        const reference = await native.generate(request);
        assert.deepEqual(
          got.result.variations,
          reference.variations,
          "the browser worker writes the Node engine's notes for the same request and seed",
        );
      },
    );

    test("wasm in the browser writes the Node host's self-check tokens, with threads", SLOW, async () => {
      const got = await inPage(
        async (config) => {
          const worker = new Worker('/self-check-worker.js', { type: 'module' });
          return new Promise<{ tokens?: number[]; threads?: number; error?: string }>((resolve) => {
            worker.addEventListener('message', (e: { data: { tokens?: number[]; threads?: number; error?: string } }) => resolve(e.data));
            worker.addEventListener('error', (e: { message?: string }) => resolve({ error: e.message ?? 'worker error' }));
            worker.postMessage(config);
          });
        },
        { modelUrl: `${origin}/models/shipped/`, wasmUrl: `${origin}/worker/` },
      );
      assert.equal(got.error, undefined);
      assert.ok(got.threads! >= 2, `wasm threads in a cross-origin isolated worker: ${got.threads}`);
      const node = await loadModelFolder(SHIPPED_MODEL_DIR, { providers: ['cpu'] });
      assert.deepEqual(got.tokens, await selfCheckTokens(node.lm));
    });

    test('a cancel is handled between decode steps: the worker stops and says Cancelled, then serves again', SLOW, async (t) => {
      const long = bass({ role: 'drums', key: null, chords: null, bars: 16, energy: 4, variations: 4, seed: 3 });
      const got = await inPage(async (request) => {
        const { worker, client } = globalThis.__inference;
        const messages: { at: number; m: HostMessage }[] = [];
        const listener = (e: { data: HostMessage }) => messages.push({ at: performance.now(), m: e.data });
        worker.addEventListener('message', listener);
        const abort = new AbortController();
        let abortedAt = 0;
        let notesBeforeAbort = 0;
        const outcome = await client
          .generate(request, {
            signal: abort.signal,
            onNote: () => {
              notesBeforeAbort++;
              if (notesBeforeAbort === 1) {
                abortedAt = performance.now();
                abort.abort();
              }
            },
          })
          .then(
            () => 'resolved',
            (e: Error) => e.name,
          );
        const started = messages.find((x) => x.m.type === 'started')?.m as { id: string } | undefined;
        const id = started?.id;
        // The host's own answer for the request: Cancelled, or done if it never saw the cancel.
        const deadline = performance.now() + 60_000;
        let final: { at: number; m: HostMessage } | undefined;
        while (
          !(final = messages.find((x) => (x.m.type === 'error' || x.m.type === 'done') && 'id' in x.m && x.m.id === id)) &&
          performance.now() < deadline
        ) {
          await new Promise((r) => setTimeout(r, 10));
        }
        worker.removeEventListener('message', listener);
        // Batches the worker posted before it read the cancel may still be in the queue when the
        // abort happens (how many depends on how busy this page is); none may follow its answer.
        const finalIndex = final ? messages.indexOf(final) : messages.length;
        const notesAfter = messages.filter((x, i) => x.m.type === 'notes' && i > finalIndex).length;
        const after = await client.generate({
          ...request,
          role: 'bass',
          key: { tonic: 0, mode: 'major' },
          bars: 2,
          energy: 2,
          variations: 1,
        });
        return {
          outcome,
          final: final?.m,
          msToCancelled: final ? final.at - abortedAt : null,
          notesAfter,
          afterBars: after.variations[0].bars,
        };
      }, long);
      assert.equal(got.outcome, 'Cancelled', 'the client settles at once');
      // A worker that never reads the cancel runs the request to its end (done, or nothing within a minute).
      assert.equal(got.final?.type, 'error', `the host's answer to the cancelled request: ${JSON.stringify(got.final)?.slice(0, 200)}`);
      assert.equal(got.final.type === 'error' && got.final.error.name, 'Cancelled');
      assert.equal(got.notesAfter, 0, `${got.notesAfter} note batches came after the worker said Cancelled`);
      assert.equal(got.afterBars, 2, 'the worker serves the next request');
      t.diagnostic(`the host said Cancelled ${Math.round(got.msToCancelled!)} ms after the abort`);
    });

    test('a worker configured by message keeps early requests, and serves a second client over a MessagePort', SLOW, async () => {
      const config = { modelUrl: `${origin}/models/shipped/`, wasmUrl: `${origin}/worker/`, providers: 'wasm' as const };
      const request = bass({ variations: 1, seed: 5 });
      const got = await inPage(
        async ({ config, request, scriptPath }) => {
          const { InferenceClient, workerTransport, configureMessage, INFERENCE_PROTOCOL } = globalThis.riffroomInference;
          const worker = new Worker(scriptPath, { type: 'module' });
          worker.postMessage(configureMessage(config));
          const client = new InferenceClient();
          client.attach(workerTransport(worker));
          // Sent while the model loads: the client waits for `ready`, so post one by hand too.
          const early: HostMessage[] = [];
          worker.addEventListener('message', (e: { data: HostMessage }) => early.push(e.data));
          worker.postMessage({ v: INFERENCE_PROTOCOL, type: 'generate', id: 'early-1', request });
          const channel = new MessageChannel();
          worker.postMessage({ v: INFERENCE_PROTOCOL, type: 'connect' }, [channel.port2]);
          const other = new InferenceClient();
          other.attach(workerTransport(channel.port1));
          const [a, b] = await Promise.all([client.generate(request), other.generate(request)]);
          while (!early.some((m) => m.type === 'done' && m.id === 'early-1')) await new Promise((r) => setTimeout(r, 10));
          const earlyDone = early.find((m) => m.type === 'done' && m.id === 'early-1') as { result: GenerationResult };
          const info: HostInfo = await other.ready();
          worker.terminate();
          return { a: a.variations, b: b.variations, early: earlyDone.result.variations, provider: info.provider };
        },
        { config, request, scriptPath: WORKER_PATH },
      );
      assert.deepEqual(
        got.provider.tried.map((p) => p.name),
        ['wasm'],
        "providers: 'wasm' skips WebGPU",
      );
      checkRiff(request, { variations: got.a } as GenerationResult);
      assert.deepEqual(got.b, got.a, 'the port client gets the same notes for the same seed');
      assert.deepEqual(got.early, got.a, 'the request posted before the model was ready was answered');
    });

    test(
      'a corrupt weights file makes the worker unavailable with a ModelLoadError naming model.onnx; so does a bad config',
      SLOW,
      async () => {
        const got = await inPage(
          async ({ config, scriptPath }) => {
            const { InferenceClient, workerTransport, workerUrlWithConfig, configureMessage } = globalThis.riffroomInference;
            const worker = new Worker(workerUrlWithConfig(new URL(scriptPath, location.href), config), { type: 'module' });
            const client = new InferenceClient();
            client.attach(workerTransport(worker));
            const failed = (e: Error) => ({ name: e.name, message: e.message });
            const ready = await client.ready().then(() => null, failed);
            // Any request: the worker has no model to answer it with.
            const generate = await client.generate({} as GenerationRequest).then(() => null, failed);
            worker.terminate();
            // A config the worker cannot use is reported the same way, not thrown in the worker.
            const unconfigured = new Worker(scriptPath, { type: 'module' });
            unconfigured.postMessage(configureMessage({ modelUrl: '', wasmUrl: config.wasmUrl }));
            const other = new InferenceClient();
            other.attach(workerTransport(unconfigured));
            const badConfig = await other.ready().then(() => null, failed);
            unconfigured.terminate();
            return { ready, generate, badConfig };
          },
          { config: { modelUrl: `${origin}/models/corrupt/`, wasmUrl: `${origin}/worker/` }, scriptPath: WORKER_PATH },
        );
        const expected = (e: WireErrorLike | null) => {
          assert.equal(e?.name, 'ModelLoadError');
          assert.ok(e.message.startsWith(`${origin}/models/corrupt/model.onnx: `), e.message);
          assert.match(e.message, /sha256/);
          return true;
        };
        expected(got.ready);
        expected(got.generate);
        assert.equal(got.badConfig?.name, 'EngineError');
        assert.match(got.badConfig.message, /needs a modelUrl/);
      },
    );

    test("where the browser has WebGPU (SwiftShader here), it is kept after writing wasm's self-check tokens, and generates", {
      timeout: 360_000,
    }, async (t) => {
      const gpu = await openPage(CHROMIUM_WEBGPU_ARGS);
      t.after(() => gpu.browser.close());
      // One bar: SwiftShader runs WebGPU on the CPU, some 50x slower than wasm.
      const request = bass({ bars: 1, variations: 1, chords: [{ tick: 0, root: 4, quality: 'm7' }] });
      const got = await gpu.inPage(
        async ({ config, request, scriptPath }) => {
          if (!(await navigator.gpu?.requestAdapter())) return null;
          const { InferenceClient, workerTransport, workerUrlWithConfig } = globalThis.riffroomInference;
          const worker = new Worker(workerUrlWithConfig(new URL(scriptPath, location.href), config), { type: 'module' });
          const client = new InferenceClient();
          client.attach(workerTransport(worker));
          const info: HostInfo = await client.ready();
          const result: GenerationResult = await client.generate(request);
          worker.terminate();
          return { info, result };
        },
        { config: { modelUrl: `${origin}/models/shipped/`, wasmUrl: `${origin}/worker/` }, request, scriptPath: WORKER_PATH },
      );
      if (!got) return void t.skip('this Chromium offers no WebGPU adapter (SwiftShader)');
      t.diagnostic(`providers ${JSON.stringify(got.info.provider.tried)}; 1 bar in ${Math.round(got.result.provenance.timing.totalMs)} ms`);
      assert.equal(got.info.provider.name, 'webgpu', JSON.stringify(got.info.provider.tried));
      assert.ok(served.includes('/worker/ort-wasm-simd-threaded.jsep.wasm'), 'WebGPU runs on the JSEP runtime');
      assert.deepEqual(
        got.info.provider.tried.map((p) => p.name),
        ['webgpu'],
      );
      // Generating after the wasm reference session was released: the GPU session's buffers survive it.
      assert.equal(got.result.provenance.provider, 'webgpu');
      checkRiff(request, got.result);
    });

    test('everything came from the local server: the bundle, the runtime and the model', () => {
      assert.deepEqual(foreign, []);
      // No WebGPU adapter (--disable-gpu): the plain wasm runtime, not the JSEP one (session.ts).
      for (const path of [
        WORKER_PATH,
        '/worker/ort-wasm-simd-threaded.mjs',
        '/worker/ort-wasm-simd-threaded.wasm',
        '/models/shipped/model.onnx',
      ]) {
        assert.ok(served.includes(path), `${path} was served (${served.join(' ')})`);
      }
    });
  });
}

type Note = { pitch: number; tick: number; duration: number; velocity: number };

function sortNotes(notes: (Note | null)[]): (Note | null)[] {
  return notes.slice().sort((a, b) => (a && b ? a.tick - b.tick || a.pitch - b.pitch : a ? 1 : -1));
}

/** A valid riff of the asked length: every note inside its bars and its role's range. */
function checkRiff(request: GenerationRequest, result: GenerationResult): void {
  const barTicks = ticksPerBar(request.meter);
  const range = PITCH_RANGES.bass;
  assert.equal(result.variations.length, request.variations);
  for (const v of result.variations) {
    assert.equal(v.bars, request.bars);
    assert.ok(v.notes.length > 0, 'a riff has notes');
    for (const n of v.notes) {
      assert.ok(n.tick >= 0 && n.tick < request.bars * barTicks, `note at ${n.tick} inside ${request.bars} bars`);
      assert.ok(n.pitch >= range.low && n.pitch <= range.high, `bass pitch ${n.pitch}`);
      assert.ok(n.duration > 0 && n.velocity >= 1 && n.velocity <= 127, JSON.stringify(n));
    }
  }
}

const root = new URL('../', import.meta.url).pathname;

/** The page's script: the client side, as the renderer will import it. */
const PAGE_ENTRY = `
import { InferenceClient } from '${root}inference/client.ts';
import { INFERENCE_PROTOCOL } from '${root}inference/contract.ts';
import { workerTransport } from '${root}inference/web/worker-transport.ts';
import { configureMessage, workerUrlWithConfig } from '${root}inference/web/worker-config.ts';
globalThis.riffroomInference = { InferenceClient, workerTransport, configureMessage, workerUrlWithConfig, INFERENCE_PROTOCOL };
`;

/**
 * A worker that opens the model on wasm alone and answers its greedy self-check tokens (the
 * contract has no message for them) and the threads the runtime started with.
 */
const SELF_CHECK_ENTRY = `
import { fetchModelFolder } from '${root}inference/web/model-loader.ts';
import { chooseWebProvider } from '${root}inference/web/session.ts';
import { selfCheckTokens } from '${root}inference/engine/self-check.ts';
self.onmessage = async ({ data }) => {
  try {
    const files = await fetchModelFolder(data.modelUrl);
    // Two threads asked for: the default on this 2-core machine is one (session.ts defaultWasmThreads).
    const chosen = await chooseWebProvider(files.weights, files.card.shape, { wasmPaths: data.wasmUrl, providers: ['wasm'], threads: 2 });
    self.postMessage({ tokens: await selfCheckTokens(chosen.lm), threads: chosen.threads });
  } catch (error) {
    self.postMessage({ error: String(error && error.stack || error) });
  }
};
`;

async function bundle(outfile: string, contents: string): Promise<void> {
  await esbuild.build({
    ...webBundleOptions(),
    minify: false,
    sourcemap: false,
    stdin: { contents, resolveDir: root, sourcefile: 'test-entry.ts', loader: 'ts' },
    outfile,
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * Serves `dir` (the bundles), the shipped model at /models/shipped/ and a copy with one weights
 * byte flipped at /models/corrupt/, with the headers that make the page cross-origin isolated.
 */
async function serve(dir: string, served: string[]): Promise<{ server: Server; origin: string }> {
  const corrupt = readFileSync(join(SHIPPED_MODEL_DIR, 'model.onnx'));
  corrupt[corrupt.length >> 1]! ^= 0xff;
  const server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    served.push(path);
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    };
    const send = (body: Buffer | string, type: string) => res.writeHead(200, { ...headers, 'Content-Type': type }).end(body);
    const model = /^\/models\/(shipped|corrupt)\/([\w.-]+)$/.exec(path);
    try {
      if (path === '/')
        return send(
          '<!doctype html><meta charset="utf-8"><title>riffroom inference</title><script type="module" src="/page.js"></script>',
          'text/html',
        );
      if (model) {
        const [, which, name] = model;
        if (which === 'corrupt' && name === 'model.onnx') return send(corrupt, 'application/octet-stream');
        return send(readFileSync(join(SHIPPED_MODEL_DIR, name!)), TYPES[extname(name!)] ?? 'application/octet-stream');
      }
      if (/^\/[\w/.-]+$/.test(path) && !path.includes('..'))
        return send(readFileSync(join(dir, path)), TYPES[extname(path)] ?? 'application/octet-stream');
    } catch {
      // Not there: a 404 below.
    }
    res.writeHead(404, headers).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
