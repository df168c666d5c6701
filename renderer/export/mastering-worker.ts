/**
 * The Web Worker entry of the export's mastering step (bundled by renderer/build.ts as
 * mastering-worker.js): measuring a mix and correcting its loudness take 0.4–2 s for a 3-minute
 * song, which here does not hold up the page. One job per worker (mastering-work.ts starts one
 * per call and ends it after the answer): the mix comes in, the figures (and the corrected
 * channels, transferred) go out.
 */
import { correctLoudness, meter } from '../audio/mastering/index.ts';
import type { MasteringReply, MasteringRequest } from './mastering-work.ts';

interface WorkerScope {
  onmessage: ((event: { data: MasteringRequest }) => void) | null;
  postMessage(message: MasteringReply, transfer?: ArrayBuffer[]): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = ({ data }) => {
  try {
    const audio = { sampleRate: data.sampleRate, channels: data.channels };
    if (data.job === 'measure') {
      scope.postMessage({ ok: true, job: 'measure', measurements: meter(audio).measurements });
      return;
    }
    const fixed = correctLoudness(audio, { target: data.target, measured: data.measured });
    const reply: MasteringReply = { ok: true, job: 'correct', correction: { audio: fixed.audio, chain: fixed.chain, after: fixed.after } };
    scope.postMessage(
      reply,
      fixed.audio.channels.map((c) => c.buffer as ArrayBuffer),
    );
  } catch (error) {
    scope.postMessage({ ok: false, message: (error as Error).message });
  }
};
