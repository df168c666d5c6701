/**
 * The engine on onnxruntime-web's wasm provider, in this Node process, for bench:inference's
 * side-by-side figures: the same model folder and checks as the browser worker, one thread (as
 * the native CPU figures), files read from disk instead of fetched.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Engine } from '../../inference/engine/engine.ts';
import { SHIPPED_MODEL_DIR } from '../../inference/node/shipped-model.ts';
import { loadWebModelFolder } from '../../inference/web/model-loader.ts';

export async function loadWebEngineForBench(): Promise<{ engine: Engine; loadMs: number }> {
  const started = performance.now();
  const loaded = await loadWebModelFolder(pathToFileURL(SHIPPED_MODEL_DIR), {
    fetchBytes: async (url) => new Uint8Array(await readFile(new URL(url))),
    threads: 1,
    providers: ['wasm'],
  });
  const loadMs = performance.now() - started;
  return { engine: new Engine(loaded.lm, { id: loaded.card.id, sha256: loaded.card.weights.sha256 }, loaded.provider.name), loadMs };
}
