/**
 * The mixer: one channel strip per track (instrument → gate → fader → pan → master, with a
 * post-fader reverb send), kept in step with the compiled song, plus the metronome and the
 * audition strip. Fader and mute/solo share one gain (../mix.ts resolves them), ramped over a few
 * ms so a mute or a fader move never clicks.
 *
 * Stopping (or seeking) must also silence notes already committed to the instruments a window
 * ahead; Tone cannot cancel a scheduled note, so each strip closes its gate and drops its
 * instrument, and another one takes over for the next play. That one is built ahead, when the
 * page is idle (prebuild(): the engine asks after the song's tracks change, and after each
 * play or stop uses one up), and waits off the bus: building eight tracks' instruments costs
 * tens of ms of main thread, which the press of play must not pay. It leaves no stale note behind.
 *
 * Once the sampler (../sampler/) has loaded, each strip with an output slot plays its track's
 * sampled instrument instead (setSampler()): the synth's output for the strip feeds the same fader,
 * pan and send, and the synthesized instrument is no longer built. Until then, and for a track
 * without a slot, the synthesized voices play.
 */
import { Gain, Panner, type BaseContext, type ToneAudioNode } from 'tone';
import { AUDITION_TRACK_ID as AUDITION_KEY } from '../audition-song.ts';
import { dbToGain } from '../mix.ts';
import { velocityToGain, type PresetId } from '../presets.ts';
import { AUDITION_SLOT, SlotMap, type SamplerPatch } from '../sampler/patch.ts';
import { SampledVoice, type SamplerPort } from '../sampler/sampled-voice.ts';
import type { CompiledSong, CompiledTrack } from '../song-events.ts';
import { createInstrument, type Instrument } from './instruments/index.ts';
import { createMetronome, type Metronome } from './instruments/metronome.ts';
import { createMasterBus, type MasterBus } from './master.ts';
import { createReverb, type Reverb } from './reverb.ts';

/** How much of each preset goes to the shared reverb. */
const REVERB_SEND: Record<PresetId, number> = {
  'drum-kit': 0.12,
  bass: 0,
  'electric-piano': 0.3,
  lead: 0.25,
  pad: 0.4,
};

/** A strip made without a patch (a live note's): never sampled, but every strip names one. */
const FALLBACK_PATCH: SamplerPatch = { id: 'grand-piano', bank: 0, program: 0, drums: false };

/** Fader and pan changes glide over this long (seconds): long enough not to click. */
const GLIDE = 0.015;

interface StripMix {
  gain: number;
  pan: number;
}

interface Voicing {
  instrument: Instrument;
  gate: Gain;
}

export class Strip {
  preset: PresetId;
  patch: SamplerPatch;
  /** The strip's voice on the sampler, once the sampler is loaded and the strip has an output slot. */
  private voice: SampledVoice<AudioNode> | null = null;
  private instrument: Instrument | null = null;
  private gate: Gain | null = null;
  /** An instrument built ahead (prebuild()), not yet connected: the next one ensureInstrument() uses. */
  private ready: Voicing | null = null;
  private readonly fader: Gain;
  private readonly panner: Panner;
  private readonly send: Gain;
  /** Null until the first setMix, which jumps (a new strip has nothing to glide from). */
  private mix: StripMix | null = null;
  private readonly context: BaseContext;
  private bpm: number;

  constructor(context: BaseContext, preset: PresetId, patch: SamplerPatch, bpm: number, bus: ToneAudioNode, reverb: ToneAudioNode) {
    this.context = context;
    this.preset = preset;
    this.patch = patch;
    this.bpm = bpm;
    this.fader = new Gain({ context, gain: 1 });
    this.panner = new Panner({ context, pan: 0 });
    this.send = new Gain({ context, gain: REVERB_SEND[preset] });
    this.fader.chain(this.panner, bus);
    this.panner.connect(this.send);
    this.send.connect(reverb);
  }

  /**
   * Plays a note (MIDI velocity 1..127): on the sampled instrument when there is one, else on the
   * synthesized one, built on first use after a start or a silence().
   */
  play(pitch: number, time: number, duration: number, velocity: number): void {
    const sampled = this.sampled;
    if (sampled) sampled.play(pitch, time, duration, velocity);
    else this.ensureInstrument().play(pitch, time, duration, velocityToGain(velocity));
  }

  /** Plays the strip through the sampler's output `slot` from now on (null: back to synthesized). */
  setSampler(sampler: SamplerPort<AudioNode> | null, slot: number | null, time: number): void {
    if (this.voice && (this.voice.slot !== slot || !sampler)) {
      this.voice.dispose(time);
      this.voice = null;
    }
    if (sampler && slot !== null && !this.voice) {
      this.voice = new SampledVoice(sampler, slot, this.fader.input as unknown as AudioNode, this.patch);
      // The synthesized instrument waiting for the next play is not needed any more.
      if (this.sampled) this.dropReady();
    }
  }

  /**
   * The sampled instrument, when the strip has one whose samples the synth has (decoded in the
   * sampler's worker: until they arrive, the synthesized voice plays, as while the bank loads).
   */
  get sampled(): SampledVoice<AudioNode> | null {
    return this.voice?.ready ? this.voice : null;
  }

  ensureInstrument(): Instrument {
    if (!this.instrument) {
      const voicing = this.ready ?? this.build();
      this.ready = null;
      this.instrument = voicing.instrument;
      this.gate = voicing.gate;
      this.gate.connect(this.fader);
    }
    return this.instrument;
  }

  /** Whether the next ensureInstrument() would have to build (no instrument waiting). */
  get cold(): boolean {
    return !this.ready && !this.sampled;
  }

  /** Builds the instrument the next ensureInstrument() will use, off the bus. False: one was ready. */
  prebuild(): boolean {
    if (this.ready) return false;
    this.ready = this.build();
    return true;
  }

  private build(): Voicing {
    const instrument = createInstrument(this.preset, { context: this.context, bpm: this.bpm });
    const gate = new Gain({ context: this.context, gain: 1 });
    instrument.output.connect(gate);
    return { instrument, gate };
  }

  private dropReady(): void {
    this.ready?.instrument.dispose();
    this.ready?.gate.dispose();
    this.ready = null;
  }

  /** Closes the gate at `time` and drops the instrument with everything it still had scheduled. */
  silence(time: number): void {
    this.voice?.silence(time);
    const instrument = this.instrument;
    const gate = this.gate;
    if (!instrument || !gate) return;
    this.instrument = null;
    this.gate = null;
    gate.gain.cancelScheduledValues(time);
    gate.gain.setValueAtTime(gate.gain.getValueAtTime(time), time);
    gate.gain.linearRampToValueAtTime(0, time + 0.01);
    // Disposed once the fade is over and every note it had committed (a look-ahead) has started
    // into the closed gate. (Offline renders never silence a strip: the engine is disposed whole.)
    this.context.setTimeout(
      () => {
        instrument.dispose();
        gate.dispose();
      },
      Math.max(0, time - this.context.currentTime) + 0.25,
    );
  }

  setPreset(preset: PresetId, time: number, patch: SamplerPatch = this.patch): void {
    this.patch = patch;
    this.voice?.setPatch(patch, time);
    if (preset === this.preset) return;
    this.silence(time);
    this.dropReady();
    this.preset = preset;
    this.send.gain.setValueAtTime(REVERB_SEND[preset], time);
  }

  setMix(mix: StripMix, time: number): void {
    if (!this.mix) {
      this.fader.gain.value = mix.gain;
      this.panner.pan.value = mix.pan;
    } else {
      if (mix.gain !== this.mix.gain) this.fader.gain.rampTo(mix.gain, GLIDE, time);
      if (mix.pan !== this.mix.pan) this.panner.pan.rampTo(mix.pan, GLIDE, time);
    }
    this.mix = mix;
  }

  setTempo(bpm: number): void {
    this.bpm = bpm;
    this.instrument?.setTempo?.(bpm);
    this.ready?.instrument.setTempo?.(bpm);
  }

  dispose(): void {
    this.voice?.dispose(this.context.currentTime);
    this.voice = null;
    this.instrument?.dispose();
    this.gate?.dispose();
    this.dropReady();
    for (const node of [this.fader, this.panner, this.send]) node.dispose();
  }
}

export class Mixer {
  readonly master: MasterBus;
  readonly reverb: Reverb;
  readonly metronome: Metronome;
  private readonly strips = new Map<string, Strip>();
  private readonly extra = new Map<string, Strip>();
  private readonly context: BaseContext;
  private bpm = 120;
  private sampler: SamplerPort<AudioNode> | null = null;
  private readonly slots = new SlotMap();

  constructor(context: BaseContext, destination: ToneAudioNode) {
    this.context = context;
    this.master = createMasterBus(context, destination);
    this.reverb = createReverb(context);
    this.reverb.output.connect(this.master.input);
    this.metronome = createMetronome(context);
    this.metronome.output.connect(this.master.input);
  }

  /** Brings strips in line with the song's tracks (added, removed, re-voiced, faders, mute/solo). */
  sync(song: CompiledSong, time: number): void {
    const seen = new Set<string>();
    for (const track of song.tracks) {
      seen.add(track.id);
      let strip = this.strips.get(track.id);
      if (!strip) {
        strip = this.newStrip(track.preset, track.patch);
        this.strips.set(track.id, strip);
      }
      strip.setPreset(track.preset, time, track.patch);
      strip.setMix(trackMix(track), time);
    }
    for (const [id, strip] of this.strips) {
      if (seen.has(id)) continue;
      this.strips.delete(id);
      this.retire(strip, time);
    }
    if (this.sampler) {
      for (const [id, slot] of this.slots.assign(song.tracks.map((t) => t.id))) this.strips.get(id)?.setSampler(this.sampler, slot, time);
      // Every track's patch, heard or not: unmuting one should not wait for decoding.
      for (const track of song.tracks) this.sampler.prepare?.(track.patch);
    }
    if (song.bpm !== this.bpm) {
      this.bpm = song.bpm;
      for (const strip of [...this.strips.values(), ...this.extra.values()]) strip.setTempo(song.bpm);
    }
  }

  strip(trackId: string): Strip | undefined {
    return this.strips.get(trackId);
  }

  /**
   * Plays the song strips (and the audition's) on the sampler from now on; `song` gives the
   * tracks their output slots.
   */
  setSampler(sampler: SamplerPort<AudioNode>, song: CompiledSong, time: number): void {
    this.sampler = sampler;
    this.sync(song, time);
    this.extra.get(AUDITION_KEY)?.setSampler(sampler, AUDITION_SLOT, time);
  }

  get sampling(): boolean {
    return this.sampler !== null;
  }

  /**
   * A strip outside the song, by key; re-voiced when the preset differs. The audition's
   * (AUDITION_KEY) plays on the sampler's audition slot once there is a sampler; live notes' are
   * synthesized (sampled live notes go to their track's strip: see AudioEngine.liveNoteOn).
   */
  extraStrip(key: string, preset: PresetId, gainDb: number, time: number, patch?: SamplerPatch): Strip {
    let strip = this.extra.get(key);
    if (!strip) {
      strip = this.newStrip(preset, patch ?? FALLBACK_PATCH);
      this.extra.set(key, strip);
    }
    strip.setPreset(preset, time, patch);
    if (key === AUDITION_KEY && this.sampler) {
      strip.setSampler(this.sampler, AUDITION_SLOT, time);
      if (patch) this.sampler.prepare?.(patch);
    }
    strip.setMix({ gain: dbToGain(gainDb), pan: 0 }, time);
    return strip;
  }

  /** Builds the instruments of every audible track now, so the first window does not pay for it. */
  prepare(song: CompiledSong): void {
    for (const track of song.tracks) {
      const strip = this.strips.get(track.id);
      if (track.audible && strip && !strip.sampled) strip.ensureInstrument();
    }
  }

  /**
   * Builds one song strip's next instrument ahead (audible tracks first); false when every strip
   * has one waiting. One at a time, so idle time can be spent in small slices.
   */
  prebuildOne(song: CompiledSong): boolean {
    for (const audible of [true, false]) {
      for (const track of song.tracks) {
        if (track.audible !== audible) continue;
        const strip = this.strips.get(track.id);
        if (strip?.cold) return strip.prebuild();
      }
    }
    return false;
  }

  /** Silences every song strip from `time` (stop, seek). Auditions are left alone. */
  silenceAll(time: number): void {
    for (const strip of this.strips.values()) strip.silence(time);
    this.metronome.silence(time);
  }

  silenceExtra(key: string, time: number): void {
    this.extra.get(key)?.silence(time);
  }

  dispose(): void {
    for (const strip of [...this.strips.values(), ...this.extra.values()]) strip.dispose();
    this.strips.clear();
    this.extra.clear();
    this.metronome.dispose();
    this.reverb.dispose();
    this.master.dispose();
  }

  private newStrip(preset: PresetId, patch: SamplerPatch): Strip {
    return new Strip(this.context, preset, patch, this.bpm, this.master.input, this.reverb.input);
  }

  private retire(strip: Strip, time: number): void {
    strip.setMix({ gain: 0, pan: 0 }, time);
    strip.silence(time);
    this.context.setTimeout(() => strip.dispose(), Math.max(0, time - this.context.currentTime) + 0.5);
  }
}

function trackMix(track: CompiledTrack): StripMix {
  return { gain: track.audible ? dbToGain(track.gainDb) : 0, pan: track.pan };
}
