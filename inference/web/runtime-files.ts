/**
 * The onnxruntime-web runtime files (Emscripten glue + wasm binary) the worker loads from its
 * wasmUrl. Two builds ship: JSEP (wasm and WebGPU, 28 MB of wasm) and plain (wasm only, 14 MB).
 * A browser without a WebGPU adapter loads the plain one: half the bytes to compile, which is
 * most of a fresh tab's model load (inference/README.md, "In the browser: where the time went").
 * Both builds run the same wasm kernels. No imports: build.ts (Node) and session.ts (worker) share it.
 */
export interface RuntimeBuild {
  mjs: string;
  wasm: string;
}

export const JSEP_RUNTIME: RuntimeBuild = { mjs: 'ort-wasm-simd-threaded.jsep.mjs', wasm: 'ort-wasm-simd-threaded.jsep.wasm' };
export const PLAIN_RUNTIME: RuntimeBuild = { mjs: 'ort-wasm-simd-threaded.mjs', wasm: 'ort-wasm-simd-threaded.wasm' };

/** Every runtime file the worker may load, for the build to copy beside it. */
export const RUNTIME_FILES: readonly string[] = [JSEP_RUNTIME.mjs, JSEP_RUNTIME.wasm, PLAIN_RUNTIME.mjs, PLAIN_RUNTIME.wasm];

/** The runtime's file URLs under the folder `base` (ending in '/'). */
export function runtimeUrls(base: string, build: RuntimeBuild): RuntimeBuild {
  return { mjs: new URL(build.mjs, base).href, wasm: new URL(build.wasm, base).href };
}
