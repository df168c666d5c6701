/**
 * Where the sampled instruments' sound bank and the synth's AudioWorklet processor come from.
 * The bank is the shipped subset of MuseScore_General (renderer/audio/bank/: in Node,
 * `ensureBank()` builds it when missing and answers its path; the web client has it beside
 * index.html).
 *
 * Pure (no Node or browser imports), so the page and Node share it: the page fetches the URLs,
 * relative to the page (its server maps them: tests/audio/audio-page.ts, the web client), and
 * Node reads the files at the paths.
 */
import { BANK_FILE_NAME } from '../bank/bank-file.ts';

/** The bank as the page fetches it. */
export const BANK_URL = BANK_FILE_NAME;

/** spessasynth_lib's AudioWorklet processor (the synth itself), as the page loads it. */
export const PROCESSOR_URL = 'sampler/spessasynth_processor.min.js';

/** The offline render's Web Worker (offline-worker.ts, bundled on its own), as the page loads it. */
export const OFFLINE_WORKER_URL = 'sampler/offline-worker.js';

/** The processor on disk (what the servers send for PROCESSOR_URL). */
export const PROCESSOR_FILE = new URL('../../../node_modules/spessasynth_lib/dist/spessasynth_processor.min.js', import.meta.url);
