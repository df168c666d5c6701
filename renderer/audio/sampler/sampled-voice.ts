/**
 * One mixer strip's sampled instrument: its slot's output on the shared synth feeds the strip, and
 * its notes go to the slot's current channel (patch.ts: a stop or a re-voicing cuts that channel
 * and moves on to a fresh one, so notes committed ahead are never heard after a stop).
 */
import { channelFor, type SamplerPatch } from './patch.ts';

/** What a voice needs of the synth (WorkletSampler in the page, where Node is an AudioNode). */
export interface SamplerPort<Node = unknown> {
  connect(slot: number, node: Node): void;
  disconnect(slot: number, node: Node): void;
  setPatch(channel: number, patch: SamplerPatch, time: number): void;
  noteOn(channel: number, pitch: number, velocity: number, time: number): void;
  noteOff(channel: number, pitch: number, time: number): void;
  cut(channel: number, time: number): void;
  /** Asks for the patch's samples ahead of need (a live synth decodes them off the audio thread). */
  prepare?(patch: SamplerPatch): void;
  /** Whether the patch can play now (absent: always). */
  isReady?(patch: SamplerPatch): boolean;
}

export class SampledVoice<Node = unknown> {
  readonly slot: number;
  private patch: SamplerPatch;
  private generation = 0;
  /** Whether the current channel has been put on the patch (done with its first note). */
  private live = false;
  private readonly sampler: SamplerPort<Node>;
  private readonly target: Node;

  constructor(sampler: SamplerPort<Node>, slot: number, target: Node, patch: SamplerPatch) {
    this.sampler = sampler;
    this.slot = slot;
    this.target = target;
    this.patch = patch;
    sampler.connect(slot, target);
  }

  get channel(): number {
    return channelFor(this.slot, this.generation);
  }

  get patchId(): string {
    return this.patch.id;
  }

  /** Whether the sampler can play the voice's patch now. */
  get ready(): boolean {
    return this.sampler.isReady?.(this.patch) ?? true;
  }

  /** A note of known length (the song, auditions). */
  play(pitch: number, time: number, duration: number, velocity: number): void {
    this.noteOn(pitch, velocity, time);
    this.sampler.noteOff(this.channel, pitch, time + duration);
  }

  noteOn(pitch: number, velocity: number, time: number): void {
    if (!this.live) {
      this.sampler.setPatch(this.channel, this.patch, time);
      this.live = true;
    }
    this.sampler.noteOn(this.channel, pitch, velocity, time);
  }

  noteOff(pitch: number, time: number): void {
    if (this.live) this.sampler.noteOff(this.channel, pitch, time);
  }

  /** Another preset: what sounds is cut at `time` (as the synthesized strips do). */
  setPatch(patch: SamplerPatch, time: number): void {
    if (patch.id === this.patch.id) return;
    this.silence(time);
    this.patch = patch;
    this.sampler.prepare?.(patch);
  }

  /** Silences everything sent so far, from `time`; later notes go to a fresh channel. */
  silence(time: number): void {
    if (!this.live) return;
    this.sampler.cut(this.channel, time);
    this.generation++;
    this.live = false;
  }

  dispose(time: number): void {
    this.silence(time);
    this.sampler.disconnect(this.slot, this.target);
  }
}
