/**
 * The offline sampled render: the song's notes through spessasynth_core's SpessaSynthProcessor
 * (the engine the page's AudioWorklet runs), block by block, faster than real time. Runs wherever
 * JavaScript does — a Web Worker in the page, a worker thread in Node (offline-worker.ts) — with
 * no Web Audio.
 *
 * It plays exactly what live playback plays: the notes come from the same pure scheduler
 * (../scheduler.ts) with the same start-of-song timing, and go through the same SampledVoice
 * (patch set-up, note-on/off) into a port that queues the MIDI messages; those are applied at the
 * start of the 128-frame block they fall in, as the worklet applies its scheduled events. The
 * result is one dry stereo stem per track (what the synth's per-channel outputs carry live) and
 * their mix by the live fader/pan law (mixDry); the page's export passes the stems through the
 * real mixer instead (offline-page.ts: reverb, limiter and all).
 */
import { SoundBankLoader, SpessaSynthProcessor, type BasicSoundBank } from 'spessasynth_core';
import type { Song } from '../../../core/song/types.ts';
import { dbToGain } from '../mix.ts';
import { Scheduler } from '../scheduler.ts';
import { compileSong, type CompiledSong } from '../song-events.ts';
import { softClip } from '../soft-clip.ts';
import { ticksPerSecond } from '../timing.ts';
import { OUTPUTS, SlotMap, channelSetup as channelSetupFor, type SamplerPatch } from './patch.ts';
import { SampledVoice, type SamplerPort } from './sampled-voice.ts';

/** The synth's render quantum (Web Audio's, so events land on the same frames live and offline). */
export const BLOCK = 128;

export interface SampledRenderOptions {
  fromBar?: number;
  toBar?: number;
  sampleRate?: number;
  /** Seconds after the last bar for releases (default 1.5, as renderSong). */
  tailSeconds?: number;
  /** Time each 128-frame block (the render quantum; the benchmark's audio-thread figure). */
  timeBlocks?: boolean;
}

export interface Stem {
  trackId: string;
  /** The synth output it came from (the live mixer gives the track the same slot). */
  slot: number;
  /** Fader gain (0 when the track is not heard) and pan, as the live strip applies them. */
  gain: number;
  pan: number;
  channels: [Float32Array, Float32Array];
}

export interface SampledRender {
  sampleRate: number;
  frames: number;
  stems: Stem[];
  /** Synth time spent, ms (the render's own cost, bank parsing excluded). */
  renderMs: number;
  /** Per block, ms (with timeBlocks). */
  blockMs?: number[];
}

interface Message {
  time: number;
  channel: number;
  bytes: number[];
  drums?: boolean;
}

/** Records what SampledVoices send, to be applied block by block. */
class QueuePort implements SamplerPort<null> {
  readonly messages: Message[] = [];
  connect(): void {}
  disconnect(): void {}
  setPatch(channel: number, patch: SamplerPatch, time: number): void {
    this.messages.push({ time, channel, bytes: [], drums: patch.drums });
    for (const bytes of channelSetupFor(channel, patch)) this.messages.push({ time, channel, bytes });
  }
  noteOn(channel: number, pitch: number, velocity: number, time: number): void {
    this.messages.push({ time, channel, bytes: [0x90 | (channel % 16), pitch & 127, Math.max(1, Math.min(127, Math.round(velocity)))] });
  }
  noteOff(channel: number, pitch: number, time: number): void {
    this.messages.push({ time, channel, bytes: [0x80 | (channel % 16), pitch & 127, 0] });
  }
  cut(): void {
    throw new Error('sampler: an offline render never cuts a channel');
  }
}

/** Parses a bank once (SF2/SF3 bytes); reuse it across renders. */
export function loadBank(bytes: ArrayBuffer): BasicSoundBank {
  return SoundBankLoader.fromArrayBuffer(bytes);
}

/** Renders the song's tracks to dry stereo stems. */
export async function renderSampled(song: Song, bank: BasicSoundBank, options: SampledRenderOptions = {}): Promise<SampledRender> {
  const compiled = compileSong(song);
  const sampleRate = options.sampleRate ?? 44100;
  const fromBar = Math.max(0, options.fromBar ?? 0);
  const toBar = options.toBar ?? compiled.endTick / compiled.barTicks;
  if (!(toBar > fromBar)) throw new Error(`renderSampled: empty bar range ${fromBar}..${toBar}`);
  const seconds = ((toBar - fromBar) * compiled.barTicks) / ticksPerSecond(compiled.bpm) + (options.tailSeconds ?? 1.5);
  const frames = Math.round(seconds * sampleRate);

  const { messages, slots } = scheduleNotes(compiled, fromBar, toBar, seconds);

  const t0 = performance.now();
  const synth = new SpessaSynthProcessor(sampleRate, { effectsEnabled: false, eventsEnabled: false, maxBufferSize: BLOCK, initialTime: 0 });
  synth.soundBankManager.addSoundBank(bank, 'main');
  await synth.processorInitialized;
  const outputs = Array.from({ length: OUTPUTS }, () => [new Float32Array(frames), new Float32Array(frames)]);
  const effects = [new Float32Array(frames), new Float32Array(frames)] as const;
  let next = 0;
  const blockMs: number[] | undefined = options.timeBlocks ? [] : undefined;
  for (let at = 0; at < frames; at += BLOCK) {
    const b0 = blockMs ? performance.now() : 0;
    const now = at / sampleRate;
    while (next < messages.length && messages[next]!.time <= now) {
      const m = messages[next++]!;
      if (m.drums !== undefined) synth.midiChannels[m.channel]!.setDrums(m.drums);
      else synth.processMessage(m.bytes, m.channel - (m.channel % 16));
    }
    synth.processSplit(outputs, effects[0], effects[1], at, Math.min(BLOCK, frames - at));
    blockMs?.push(performance.now() - b0);
  }
  const renderMs = performance.now() - t0;
  const stems: Stem[] = [];
  for (const track of compiled.tracks) {
    const slot = slots.get(track.id);
    if (slot === null || slot === undefined) continue;
    const [left, right] = outputs[slot]!;
    stems.push({ trackId: track.id, slot, gain: track.audible ? dbToGain(track.gainDb) : 0, pan: track.pan, channels: [left!, right!] });
  }
  return { sampleRate, frames, stems, renderMs, ...(blockMs ? { blockMs } : {}) };
}

/**
 * The song's note messages from `fromBar`, as the live engine sends them: the scheduler run from
 * time 0 over the whole range, its notes through each track's SampledVoice. Stable-sorted by time
 * (equal times keep their sending order, as the synth's queue does).
 */
function scheduleNotes(
  compiled: CompiledSong,
  fromBar: number,
  toBar: number,
  seconds: number,
): { messages: Message[]; slots: Map<string, number | null> } {
  const port = new QueuePort();
  const slots = new SlotMap().assign(compiled.tracks.map((t) => t.id));
  const voices = new Map<string, SampledVoice<null>>();
  for (const track of compiled.tracks) {
    const slot = slots.get(track.id);
    if (slot !== null && slot !== undefined) voices.set(track.id, new SampledVoice<null>(port, slot, null, track.patch));
  }
  const scheduler = new Scheduler((e) => {
    if (e.kind === 'note') voices.get(e.trackId)?.play(e.pitch, e.time, e.duration, e.velocity);
  });
  scheduler.setSong(compiled);
  scheduler.loop = false;
  scheduler.endTick = toBar * compiled.barTicks;
  scheduler.start({ time: 0, tick: fromBar * compiled.barTicks });
  for (let now = 0; now <= seconds && !scheduler.endedAt; now += 0.05) scheduler.advance(now);
  const order = port.messages.map((m, i) => ({ m, i }));
  order.sort((a, b) => a.m.time - b.m.time || a.i - b.i);
  return { messages: order.map((o) => o.m), slots };
}

/**
 * The stems mixed as the live strips mix them, minus the reverb and limiter (Web Audio nodes; the
 * page's export has them): fader gain, Web Audio's StereoPannerNode law for stereo input, the
 * master's headroom and the soft clip.
 */
export function mixDry(render: SampledRender, headroom = 0.63): [Float32Array, Float32Array] {
  const left = new Float32Array(render.frames);
  const right = new Float32Array(render.frames);
  for (const stem of render.stems) {
    if (stem.gain === 0) continue;
    const [l, r] = stem.channels;
    const p = Math.max(-1, Math.min(1, stem.pan));
    // StereoPannerNode, stereo input (Web Audio spec §1.31.3).
    const x = p <= 0 ? p + 1 : p;
    const gl = Math.cos((x * Math.PI) / 2);
    const gr = Math.sin((x * Math.PI) / 2);
    const g = stem.gain * headroom;
    for (let i = 0; i < render.frames; i++) {
      const a = l[i]!;
      const b = r[i]!;
      if (p <= 0) {
        left[i]! += g * (a + b * gl);
        right[i]! += g * (b * gr);
      } else {
        left[i]! += g * (a * gl);
        right[i]! += g * (b + a * gr);
      }
    }
  }
  for (const ch of [left, right]) for (let i = 0; i < ch.length; i++) ch[i] = softClip(ch[i]!);
  return [left, right];
}
