/**
 * Where the mastering step's heavy work runs: `onThisThread` (synchronous, after a pause that lets
 * the page paint; Node tests use it) or `inWorker` (a module Web Worker, mastering-worker.ts,
 * falling back to this thread when the worker cannot start, e.g. a host that does not serve it).
 */
import { correctLoudness, meter, type Correction, type LoudnessTargetName, type Measurements } from '../audio/mastering/index.ts';
import type { PcmAudio } from '../audio/wav.ts';

/** The worker's file beside index.html (renderer/build.ts writes it). */
export const MASTERING_WORKER_FILE = 'mastering-worker.js';

export interface MasteringWork {
  measure(): Promise<Measurements>;
  correct(target: LoudnessTargetName, measured: Measurements): Promise<Correction>;
}

/** Waits before a long synchronous stretch (the dialog passes one that lets the page paint). */
export type Pause = () => Promise<void>;

export type MasteringRequest = { sampleRate: number; channels: Float32Array[] } & (
  | { job: 'measure' }
  | { job: 'correct'; target: LoudnessTargetName; measured: Measurements }
);

export type MasteringReply =
  | { ok: true; job: 'measure'; measurements: Measurements }
  | { ok: true; job: 'correct'; correction: Correction }
  | { ok: false; message: string };

export function onThisThread(mix: PcmAudio, pause: Pause = () => Promise.resolve()): MasteringWork {
  return {
    async measure() {
      await pause();
      return meter(mix).measurements;
    },
    async correct(target, measured) {
      await pause();
      return correctLoudness(mix, { target, measured });
    },
  };
}

/** The parts of a module Worker used here, typed structurally (no WebWorker lib in this project). */
interface StartedWorker {
  postMessage(message: MasteringRequest): void;
  addEventListener(type: 'message', listener: (event: { data: MasteringReply }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string; preventDefault?(): void }) => void): void;
  terminate(): void;
}

export type StartWorker = (url: URL) => StartedWorker;

function startModuleWorker(url: URL): StartedWorker {
  const { Worker } = globalThis as unknown as { Worker: new (url: URL, options: { type: 'module'; name: string }) => StartedWorker };
  return new Worker(url, { type: 'module', name: 'riffroom-mastering' });
}

/**
 * Each call starts a worker, posts it a copy of the mix (the page keeps its own for encoding) and
 * ends it after the answer. A worker that fails to load or dies (an 'error' event) leaves the
 * job to `fallback`; an error the job itself reports (bad input) is passed on as it is.
 */
export function inWorker(mix: PcmAudio, url: URL, fallback: MasteringWork, start: StartWorker = startModuleWorker): MasteringWork {
  const run = <T>(
    request: MasteringRequest,
    answer: (reply: MasteringReply & { ok: true }) => T,
    otherwise: () => Promise<T>,
  ): Promise<T> => {
    let worker: StartedWorker;
    try {
      worker = start(url);
    } catch {
      return otherwise();
    }
    return new Promise<T>((resolve, reject) => {
      worker.addEventListener('message', ({ data }) => {
        worker.terminate();
        if (data.ok) resolve(answer(data));
        else reject(new Error(data.message));
      });
      worker.addEventListener('error', (event) => {
        event.preventDefault?.();
        worker.terminate();
        otherwise().then(resolve, reject);
      });
      worker.postMessage(request);
    });
  };
  const base = { sampleRate: mix.sampleRate, channels: mix.channels };
  return {
    measure: () =>
      run(
        { ...base, job: 'measure' },
        (r) => (r.job === 'measure' ? r.measurements : unexpected(r.job)),
        () => fallback.measure(),
      ),
    correct: (target, measured) =>
      run(
        { ...base, job: 'correct', target, measured },
        (r) => (r.job === 'correct' ? r.correction : unexpected(r.job)),
        () => fallback.correct(target, measured),
      ),
  };
}

function unexpected(job: string): never {
  throw new Error(`mastering worker: answered a "${job}" job it was not given`);
}
