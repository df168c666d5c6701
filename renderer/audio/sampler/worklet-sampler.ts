/**
 * The live sampler: one spessasynth_lib WorkletSynthesizer (the SoundFont synth, running on the
 * audio thread) for the whole page, playing every track on channels of its own. The engine's
 * scheduler stays in charge of time: each note is sent with its exact AudioContext time, a look-
 * ahead early, and the synth starts it on that render quantum. The synth's 16 per-channel dry
 * outputs feed the mixer's strips (fader, pan, reverb send), as the synthesized voices do; the
 * synth's own effects output is left unconnected.
 *
 * Loading is off the main thread's critical path: the bank is fetched and handed (transferred) to
 * the worklet, which parses it; load() resolves once the synth reports the bank ready, and only
 * then does the mixer route any note to it (until then, and if loading fails, the synthesized
 * voices play).
 *
 * An SF3 bank's samples are Ogg Vorbis, which the synth decodes the first time a note uses one:
 * on the audio thread, tens of ms for a large sample, a glitch if it happens mid-song. warm()
 * plays the song's notes ahead of need, silently, on a channel of its own, a few at a time, so
 * the decoding happens when the song's tracks are set up (after load, after an edit) rather than
 * on the beat. (Decoding off the audio thread entirely needs a PCM bank; see ../README.md.)
 */
import { WorkletSynthesizer } from 'spessasynth_lib';
import { BANK_URL, PROCESSOR_URL } from './bank-source.ts';
import { GENERATIONS, OUTPUTS, channelCut, channelFor, channelSetup, type SamplerPatch } from './patch.ts';

export interface SamplerLoadOptions {
  bankUrl?: string;
  processorUrl?: string;
  /** The bank's bytes, when the caller has them already (tests, a cache). */
  bank?: ArrayBuffer;
}

export interface SamplerLoadTimes {
  /** Fetching the bank, ms. */
  fetchMs: number;
  /** From handing the bank to the worklet to the synth's ready signal, ms. */
  loadMs: number;
  bankBytes: number;
  /** Synths built until one's clock agreed with the context's (see createOnTime). */
  synthBuilds: number;
}

/** The silent channel warm() plays on (beyond the generations; its output is slot 0's, at gain 0). */
const WARM_CHANNEL = OUTPUTS * GENERATIONS;
/** warm(): notes per step, and the main-thread pause between steps (ms). */
const WARM_BATCH = 2;
const WARM_STEP_MS = 15;

export class WorkletSampler {
  readonly synth: WorkletSynthesizer;
  readonly context: BaseAudioContext;
  readonly times: SamplerLoadTimes;
  private disposed = false;
  /** `patch:key:velocity` already decoded (played once), or queued to be. */
  private readonly warmed = new Set<string>();
  private readonly warmQueue: { patch: SamplerPatch; pitch: number; velocity: number }[] = [];
  private warmTimer: ReturnType<typeof setTimeout> | null = null;
  private warmPatch: string | null = null;
  /** Notes warm() has played (the benchmark reports it). */
  warmedNotes = 0;

  private constructor(context: BaseAudioContext, synth: WorkletSynthesizer, times: SamplerLoadTimes) {
    this.context = context;
    this.synth = synth;
    this.times = times;
  }

  /** Loads the processor and the bank; resolves when a note can be played. */
  static async load(context: BaseAudioContext, options: SamplerLoadOptions = {}): Promise<WorkletSampler> {
    const base = typeof document !== 'undefined' ? document.baseURI : undefined;
    const processorUrl = new URL(options.processorUrl ?? PROCESSOR_URL, base).href;
    const t0 = performance.now();
    const [, bank] = await Promise.all([
      context.audioWorklet.addModule(processorUrl),
      // The worklet takes (transfers) the bytes it is given: each synth gets a copy of the one fetch.
      (options.bank ? Promise.resolve(options.bank) : fetchBank(new URL(options.bankUrl ?? BANK_URL, base).href)).then((b) => b.slice(0)),
    ]);
    const t1 = performance.now();
    const synth = await createOnTime(context);
    const bankBytes = bank.byteLength;
    await synth.soundBankManager.addSoundBank(bank, 'main');
    // Channels 16..63: the generations that stop/seek cycle through (see patch.ts).
    for (let c = synth.channelCount; c <= WARM_CHANNEL; c++) synth.addNewChannel();
    // Added channels start with their controllers unset (near silent, filter shut): a reset
    // gives every channel the defaults the first 16 have.
    synth.reset();
    // warm()'s channel renders (and so decodes) its notes, at zero gain.
    synth.midiChannels[WARM_CHANNEL]?.setSystemParameter('gain', 0);
    // The synth's own reverb and chorus feed only its effects output, which nothing hears.
    synth.setSystemParameter('effectsEnabled', false);
    return new WorkletSampler(context, synth, { fetchMs: t1 - t0, loadMs: performance.now() - t1, bankBytes, synthBuilds: lastTries });
  }


  /** Connects output `slot` (0..15: channels slot, slot + 16, ...) to a strip's input. */
  connect(slot: number, node: AudioNode): void {
    this.synth.connectChannel(node, slot);
  }

  disconnect(slot: number, node: AudioNode): void {
    try {
      this.synth.disconnectChannel(node, slot);
    } catch {
      // Already disconnected (the strip went first).
    }
  }

  /** Puts a fresh channel on a patch, at `time` (before any note of it at that time). */
  setPatch(channel: number, patch: SamplerPatch, time: number): void {
    this.synth.midiChannels[channel]?.setDrums(patch.drums);
    for (const message of channelSetup(channel, patch)) this.send(message, channel, time);
  }

  noteOn(channel: number, pitch: number, velocity: number, time: number): void {
    this.send([0x90 | (channel % 16), pitch & 127, Math.max(1, Math.min(127, Math.round(velocity)))], channel, time);
  }

  noteOff(channel: number, pitch: number, time: number): void {
    this.send([0x80 | (channel % 16), pitch & 127, 0], channel, time);
  }

  /** Silences a channel from `time` on (see GENERATIONS in patch.ts). */
  cut(channel: number, time: number): void {
    for (const message of channelCut(channel)) this.send(message, channel, time);
  }

  /**
   * Queues the notes' samples for decoding ahead of need (see the header): each new
   * patch/key/velocity is played once, silently, a few per step.
   */
  warm(patch: SamplerPatch, notes: readonly { pitch: number; velocity: number }[]): void {
    for (const n of notes) {
      const key = `${patch.id}:${n.pitch}:${n.velocity}`;
      if (this.warmed.has(key)) continue;
      this.warmed.add(key);
      this.warmQueue.push({ patch, pitch: n.pitch, velocity: n.velocity });
    }
    if (this.warmQueue.length && this.warmTimer === null) this.warmStep();
  }

  private warmStep(): void {
    this.warmTimer = null;
    if (this.disposed) return;
    const now = this.context.currentTime;
    for (const item of this.warmQueue.splice(0, WARM_BATCH)) {
      if (this.warmPatch !== item.patch.id) {
        this.setPatch(WARM_CHANNEL, item.patch, now);
        this.warmPatch = item.patch.id;
      }
      this.noteOn(WARM_CHANNEL, item.pitch, item.velocity, now);
      this.noteOff(WARM_CHANNEL, item.pitch, now + 0.01);
      this.warmedNotes++;
    }
    if (this.warmQueue.length) this.warmTimer = setTimeout(() => this.warmStep(), WARM_STEP_MS);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.warmTimer !== null) clearTimeout(this.warmTimer);
    this.synth.destroy();
  }

  private send(message: number[], channel: number, time: number): void {
    if (this.disposed) return;
    this.synth.sendMessage(message, channel - (channel % 16), { time });
  }
}

/**
 * How far (s) the synth's clock may read behind the context's when its ready message arrives: the
 * render thread runs a few quanta ahead in bursts, and the message takes a moment to arrive.
 */
const CLOCK_SLACK = 0.015;
/** A synth built while the worklet scope's clock was stale is rebuilt after this pause (ms)... */
const REBUILD_PAUSE_MS = 50;
/** ...this many times at most (the stale window measured ~0.3 s). */
const REBUILD_TRIES = 40;

/**
 * A synth whose clock agrees with the context's. The synth's processor takes the worklet scope's
 * `currentTime` at its construction as its clock's origin and then counts the quanta it renders;
 * its notes start when that clock reaches their `time`. In Chromium, the scope's `currentTime` is
 * stale for a while after `audioWorklet.addModule()` resolves (measured: it read 0.00-0.02 s with
 * the context at 0.17-0.28 s; a processor built 300 ms later read the right time): a synth built
 * in that window runs behind the context by the gap, for good, and plays every note that late. A
 * page's first transport usually missed the window (the bank's download came between), its second
 * (the bank already fetched) fell in it: the "0.3 s late" second transport.
 *
 * The processor reports its clock's origin in its ready message (posted from its constructor's
 * microtask, before it renders). Compared with the context's time when the message arrives: a
 * synth more than CLOCK_SLACK behind is built again. The scope's time also lags by a few quanta
 * now and then (measured up to 55 ms in either of a page's synths), which the same check catches.
 * A busy main thread delays the message and so can only cause a needless rebuild, never a miss.
 */

/** How many builds the last createOnTime() took (reported in SamplerLoadTimes). */
let lastTries = 0;

async function createOnTime(context: BaseAudioContext): Promise<WorkletSynthesizer> {
  for (let attempt = 1; ; attempt++) {
    let node: AudioWorkletNode | null = null;
    const synth = new WorkletSynthesizer(context, {
      oneOutput: false,
      eventsEnabled: false,
      audioNodeCreators: {
        worklet: (ctx, name, options) => (node = new AudioWorkletNode(ctx, name, options)),
      },
    });
    const clock = new Promise<number>((resolve) => {
      node?.port.addEventListener('message', (e: MessageEvent) => {
        const data = e.data as { type?: string; data?: { type?: string }; currentTime?: number };
        if (data.type === 'isFullyInitialized' && data.data?.type === 'sf3Decoder' && typeof data.currentTime === 'number') resolve(data.currentTime);
      });
    });
    // The synth's clock advances only with the quanta it processes, and a node nothing pulls is
    // not processed: its effects output, unused, goes to the destination at zero gain, so it runs
    // from the start.
    const keepTime = context.createGain();
    keepTime.gain.value = 0;
    synth.connect(keepTime);
    keepTime.connect(context.destination);
    const synthTime = await clock;
    const contextTime = context.currentTime;
    await synth.isReady;
    lastTries = attempt;
    if (synthTime >= contextTime - CLOCK_SLACK) return synth;
    synth.destroy();
    keepTime.disconnect();
    if (attempt >= REBUILD_TRIES) {
      throw new Error(`sampler: the worklet synth's clock stayed behind the context's (${synthTime.toFixed(3)} s vs ${contextTime.toFixed(3)} s) after ${attempt} tries`);
    }
    await new Promise((r) => setTimeout(r, REBUILD_PAUSE_MS));
  }
}

/**
 * The bank's bytes, fetched once per page and URL: the live transport and a history view's
 * transport each run a synth, and share the download.
 */
const fetched = new Map<string, Promise<ArrayBuffer>>();

function fetchBank(url: string): Promise<ArrayBuffer> {
  let bytes = fetched.get(url);
  if (!bytes) {
    bytes = (async () => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`sampler: the sound bank ${url} answered ${response.status}`);
      return response.arrayBuffer();
    })();
    // A failed fetch is not kept: the next transport tries again.
    bytes.catch(() => fetched.delete(url));
    fetched.set(url, bytes);
  }
  return bytes;
}
