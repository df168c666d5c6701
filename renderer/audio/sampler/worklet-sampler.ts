/**
 * The live sampler: one spessasynth_lib WorkletSynthesizer (the SoundFont synth, running on the
 * audio thread) for the whole page, playing every track on channels of its own. The engine's
 * scheduler stays in charge of time: each note is sent with its exact AudioContext time, a look-
 * ahead early, and the synth starts it on that render quantum. The synth's 16 per-channel dry
 * outputs feed the mixer's strips (fader, pan, reverb send), as the synthesized voices do; the
 * synth's own effects output is left unconnected.
 *
 * Nothing is decoded on the audio thread: the shipped bank's samples are Ogg Vorbis, and decoding
 * one in the worklet (tens of ms for a piano sample) overruns the render quantum — a click. The
 * synth is only ever given decoded banks (pcm-bank.ts), made in the sampler worker
 * (offline-page.ts decodedBank) for the patches the song uses: prepare() asks for a patch, and a
 * strip plays a patch sampled only once isReady() says it is in the synth (until then, and if
 * decoding fails, the synthesized voices play). load() resolves once the first patches are in.
 */
import { WorkletSynthesizer } from 'spessasynth_lib';
import { BANK_URL, PROCESSOR_URL } from './bank-source.ts';
import { decodedBank } from './offline-page.ts';
import { GENERATIONS, OUTPUTS, channelCut, channelSetup, type SamplerPatch } from './patch.ts';

/** Decodes the patches' presets into an SF2 of PCM samples (default: the page's sampler worker). */
export type DecodeBank = (patches: SamplerPatch[], bankUrl: string) => Promise<{ sf2: ArrayBuffer; decodeMs?: number }>;

export interface SamplerLoadOptions {
  processorUrl?: string;
  /** The shipped (SF3) bank the decoder reads (default BANK_URL, relative to the page). */
  bankUrl?: string;
  /** Decoded before load() resolves (default: the grand piano, the synth's program 0). */
  patches?: SamplerPatch[];
  decode?: DecodeBank;
}

export interface SamplerLoadTimes {
  /** Loading the processor and building the synth, ms. */
  loadMs: number;
  /** The first patches: asking the worker to decoding them (bank fetch and parse included), ms. */
  decodeMs: number;
  /** From handing the first decoded bank to the synth to its taking it, ms. */
  addMs: number;
  /** Bytes of the first decoded bank. */
  bankBytes: number;
  /** Synths built until one's clock agreed with the context's (see createOnTime). */
  synthBuilds: number;
}

/** The synth's program 0: what a channel plays before it is given a patch. */
const DEFAULT_PATCH: SamplerPatch = { id: 'grand-piano', bank: 0, program: 0, drums: false };

export class WorkletSampler {
  readonly synth: WorkletSynthesizer;
  readonly context: BaseAudioContext;
  readonly times: SamplerLoadTimes;
  private disposed = false;
  private readonly bankUrl: string;
  private readonly decode: DecodeBank;
  /** Patch ids whose decoded presets the synth has. */
  private readonly inSynth = new Set<string>();
  /** Patch ids asked for and not yet in (or failed: those stay synthesized). */
  private readonly asked = new Map<string, Promise<void>>();
  /** Patches asked for in this task, sent together on the next microtask. */
  private batch: { patches: SamplerPatch[]; done: Promise<void>; finish: () => void } | null = null;
  private banks = 0;
  /** Decoded banks handed to the synth (the benchmark reports them). */
  readonly decoded: { patches: string[]; decodeMs: number; bytes: number }[] = [];

  private constructor(context: BaseAudioContext, synth: WorkletSynthesizer, bankUrl: string, decode: DecodeBank, times: SamplerLoadTimes) {
    this.context = context;
    this.synth = synth;
    this.bankUrl = bankUrl;
    this.decode = decode;
    this.times = times;
  }

  /** Loads the processor, builds the synth and decodes the first patches; resolves when they can play. */
  static async load(context: BaseAudioContext, options: SamplerLoadOptions = {}): Promise<WorkletSampler> {
    const base = typeof document !== 'undefined' ? document.baseURI : undefined;
    const processorUrl = new URL(options.processorUrl ?? PROCESSOR_URL, base).href;
    const bankUrl = new URL(options.bankUrl ?? BANK_URL, base).href;
    const decode = options.decode ?? ((patches, url) => decodedBank(patches, url));
    const patches = uniquePatches(options.patches?.length ? options.patches : [DEFAULT_PATCH]);
    const t0 = performance.now();
    // The worker decodes while the worklet loads.
    const first = decode(patches, bankUrl).then((bank) => ({ ...bank, ms: performance.now() - t0 }));
    first.catch(() => {});
    await context.audioWorklet.addModule(processorUrl);
    const synth = await createOnTime(context);
    const loadMs = performance.now() - t0;
    let bank: Awaited<typeof first>;
    try {
      bank = await first;
    } catch (error) {
      synth.destroy();
      throw error;
    }
    const bankBytes = bank.sf2.byteLength;
    const t1 = performance.now();
    await synth.soundBankManager.addSoundBank(bank.sf2, 'pcm-0');
    const addMs = performance.now() - t1;
    // Channels 16..63: the generations that stop/seek cycle through (see patch.ts).
    for (let c = synth.channelCount; c < OUTPUTS * GENERATIONS; c++) synth.addNewChannel();
    // Added channels start with their controllers unset (near silent, filter shut): a reset
    // gives every channel the defaults the first 16 have.
    synth.reset();
    // The synth's own reverb and chorus feed only its effects output, which nothing hears.
    synth.setSystemParameter('effectsEnabled', false);
    const sampler = new WorkletSampler(context, synth, bankUrl, decode, {
      loadMs,
      decodeMs: bank.ms,
      addMs,
      bankBytes,
      synthBuilds: lastTries,
    });
    sampler.banks = 1;
    sampler.decoded.push({ patches: patches.map((p) => p.id), decodeMs: bank.ms, bytes: bankBytes });
    for (const p of patches) {
      sampler.inSynth.add(p.id);
      sampler.asked.set(p.id, Promise.resolve());
    }
    return sampler;
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

  /** Whether the synth has the patch's decoded samples (else the strip plays synthesized). */
  isReady(patch: SamplerPatch): boolean {
    return this.inSynth.has(patch.id);
  }

  /**
   * Asks for the patch's decoded samples (once; patches asked in the same task go in one bank).
   * They arrive in the background; isReady() says when.
   */
  prepare(patch: SamplerPatch): void {
    if (this.disposed || this.asked.has(patch.id)) return;
    if (!this.batch) {
      let finish = (): void => {};
      const done = new Promise<void>((resolve) => (finish = resolve));
      this.batch = { patches: [], done, finish };
      queueMicrotask(() => void this.sendBatch());
    }
    this.batch.patches.push(patch);
    this.asked.set(patch.id, this.batch.done);
  }

  /** Resolves once every patch asked for so far is in the synth (or failed). */
  async settled(): Promise<void> {
    let count = -1;
    // A bank arriving may lead to more asks (an edit meanwhile): wait until nothing new is asked.
    while (count !== this.asked.size) {
      count = this.asked.size;
      await Promise.all(this.asked.values());
    }
  }

  private async sendBatch(): Promise<void> {
    const batch = this.batch;
    this.batch = null;
    if (!batch) return;
    const { patches } = batch;
    const id = `pcm-${this.banks++}`;
    const t0 = performance.now();
    try {
      if (this.disposed) return;
      const bank = await this.decode(patches, this.bankUrl);
      if (this.disposed) return;
      await this.synth.soundBankManager.addSoundBank(bank.sf2, id);
      for (const p of patches) this.inSynth.add(p.id);
      this.decoded.push({ patches: patches.map((p) => p.id), decodeMs: performance.now() - t0, bytes: bank.sf2.byteLength });
    } catch (error) {
      // Those patches stay on the synthesized voices; the next load of the page tries again.
      console.warn(`riffroom: ${patches.map((p) => p.id).join(', ')} stay on the synthesized voices`, error);
    } finally {
      batch.finish();
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

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.synth.destroy();
  }

  private send(message: number[], channel: number, time: number): void {
    if (this.disposed) return;
    this.synth.sendMessage(message, channel - (channel % 16), { time });
  }
}

function uniquePatches(patches: readonly SamplerPatch[]): SamplerPatch[] {
  return [...new Map(patches.map((p) => [p.id, p])).values()];
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
        if (data.type === 'isFullyInitialized' && data.data?.type === 'sf3Decoder' && typeof data.currentTime === 'number')
          resolve(data.currentTime);
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
      throw new Error(
        `sampler: the worklet synth's clock stayed behind the context's (${synthTime.toFixed(3)} s vs ${contextTime.toFixed(3)} s) after ${attempt} tries`,
      );
    }
    await new Promise((r) => setTimeout(r, REBUILD_PAUSE_MS));
  }
}
