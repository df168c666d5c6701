/**
 * Building blocks for light, per-note voices: each note gets its own few native nodes
 * (oscillators or a noise source, a gain envelope, sometimes a filter), started and stopped at
 * exact times and disconnected once they end, feeding an instrument's shared Tone chain.
 *
 * Why not Tone's Synth/PolySynth for every note: each Tone voice carries a dozen nodes, several of
 * them constant sources that run for as long as the voice exists, so eight busy tracks cost the
 * audio thread more than a 2-core machine has (measured: 8 tracks × 8 bars rendered at 0.2× real
 * time). Native voices cost only while they sound, and nothing runs between notes.
 */
import { connect, type BaseContext, type InputNode } from 'tone';
import { seededRandom } from '../../../../core/random.ts';

export interface Envelope {
  /** Seconds to reach the peak (linear). */
  attack: number;
  /** Seconds for most (95%) of the fall to the sustain level (exponential). */
  decay: number;
  /** Fraction of the peak held while the note is down. */
  sustain: number;
  /** Seconds to fade out after the note ends (to about -50 dB). */
  release: number;
}

/**
 * An ADSR on a gain param for a note held `duration` seconds; returns when it has died away
 * (when to stop the note's sources). The release starts from wherever the decay had got to.
 */
export function adsr(param: AudioParam, time: number, duration: number, peak: number, env: Envelope): number {
  const attackEnd = time + Math.max(env.attack, 0.0005);
  const releaseAt = Math.max(time + duration, attackEnd);
  const sustain = peak * env.sustain;
  const tau = Math.max(env.decay / 3, 1e-4);
  param.setValueAtTime(0, time);
  param.linearRampToValueAtTime(peak, attackEnd);
  param.setTargetAtTime(sustain, attackEnd, tau);
  // The decay curve's value at the release, computed rather than read (no cancelAndHold needed).
  const held = sustain + (peak - sustain) * Math.exp(-(releaseAt - attackEnd) / tau);
  param.setValueAtTime(held, releaseAt);
  param.setTargetAtTime(0, releaseAt, Math.max(env.release / 6, 1e-4));
  return releaseAt + env.release;
}

/** A percussive hit: fast attack, then an exponential fall to silence over about `decay` seconds. */
export function hit(param: AudioParam, time: number, peak: number, attack: number, decay: number): number {
  param.setValueAtTime(0, time);
  param.linearRampToValueAtTime(peak, time + attack);
  param.setTargetAtTime(0, time + attack, decay / 6);
  return time + attack + decay;
}

/**
 * One note's nodes. Sources stop at `end`; when the first of them reports it has ended, every node
 * of the voice is disconnected so the graph does not grow with each note played.
 */
export class Voice {
  private readonly nodes: AudioNode[] = [];
  private readonly sources: OscillatorNode[] = [];
  private readonly noises: AudioBufferSourceNode[] = [];
  private readonly context: BaseContext;

  constructor(context: BaseContext) {
    this.context = context;
  }

  gain(value = 0): GainNode {
    const node = this.context.createGain();
    node.gain.value = value;
    this.nodes.push(node);
    return node;
  }

  filter(type: BiquadFilterType, frequency: number, q = 0.7): BiquadFilterNode {
    const node = biquad(this.context, type, frequency, q);
    this.nodes.push(node);
    return node;
  }

  oscillator(type: OscillatorType, hz: number, detuneCents = 0): OscillatorNode {
    const node = this.context.createOscillator();
    node.type = type;
    node.frequency.value = hz;
    node.detune.value = detuneCents;
    this.nodes.push(node);
    this.sources.push(node);
    return node;
  }

  /** White noise from the context's shared seeded buffer, from a different place each time. */
  noise(): AudioBufferSourceNode {
    const node = this.context.createBufferSource();
    node.buffer = noiseBuffer(this.context);
    node.loop = true;
    this.nodes.push(node);
    this.noises.push(node);
    return node;
  }

  /** Starts every source at `start` and stops it at `end`; cleans up after. */
  play(start: number, end: number): void {
    const stop = Math.max(end, start + 0.001);
    const first = this.sources[0] ?? this.noises[0];
    if (!first) return;
    first.onended = () => {
      for (const node of this.nodes) node.disconnect();
    };
    for (const source of this.sources) {
      source.start(start);
      source.stop(stop);
    }
    for (const source of this.noises) {
      source.start(start, nextNoiseOffset(this.context) * NOISE_SECONDS);
      source.stop(stop);
    }
  }
}

/** Connects native nodes and Tone nodes in series, in any mix. */
export function chain(...nodes: InputNode[]): void {
  for (let i = 0; i + 1 < nodes.length; i++) connect(nodes[i] as AudioNode, nodes[i + 1]!);
}

const NOISE_SECONDS = 1;
const noiseBuffers = new WeakMap<BaseContext, { buffer: AudioBuffer; next: () => number }>();

/**
 * One second of white noise per context, seeded, so renders with drums are reproducible sample
 * for sample; each use starts at the next position of a seeded sequence.
 */
function noiseState(context: BaseContext): { buffer: AudioBuffer; next: () => number } {
  let state = noiseBuffers.get(context);
  if (!state) {
    const random = seededRandom(0x5eed);
    const frames = Math.round(NOISE_SECONDS * context.sampleRate);
    const buffer = context.createBuffer(1, frames, context.sampleRate);
    const data = new Float32Array(frames);
    for (let i = 0; i < frames; i++) data[i] = random() * 2 - 1;
    buffer.copyToChannel(data, 0);
    const offsets = seededRandom(0x0ff5e7);
    state = { buffer, next: offsets };
    noiseBuffers.set(context, state);
  }
  return state;
}

/** Makes the context's noise now (a kit being built ahead), not on the first hit; changes no sound. */
export function prepareNoise(context: BaseContext): void {
  noiseState(context);
}

function noiseBuffer(context: BaseContext): AudioBuffer {
  return noiseState(context).buffer;
}

function nextNoiseOffset(context: BaseContext): number {
  return noiseState(context).next();
}

/**
 * Caps how many voices of one instrument may sound at once: a runaway clip (hundreds of stacked
 * notes) drops notes instead of overloading the audio thread.
 */
export class VoiceBudget {
  private ends: number[] = [];
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  /** Whether a voice sounding from `start` to `end` fits; if so it is counted. */
  admit(start: number, end: number): boolean {
    this.ends = this.ends.filter((e) => e > start);
    if (this.ends.length >= this.max) return false;
    this.ends.push(end);
    return true;
  }
}

/** A filter: a voice's own (Voice.filter), or an instrument's shared one that every voice feeds. */
export function biquad(context: BaseContext, type: BiquadFilterType, frequency: number, q: number): BiquadFilterNode {
  const node = context.createBiquadFilter();
  node.type = type;
  node.frequency.value = frequency;
  node.Q.value = q;
  return node;
}

/**
 * A note as two sawtooths detuned ±`cents` against each other (they beat: a chorus-like
 * shimmer) through one amp envelope into `into`, if the budget admits it.
 */
export function playDetunedSaws(
  context: BaseContext,
  budget: VoiceBudget,
  into: AudioNode,
  hz: number,
  cents: number,
  note: { time: number; duration: number; velocity: number },
  env: Envelope,
): void {
  const voice = new Voice(context);
  const a = voice.oscillator('sawtooth', hz, -cents);
  const b = voice.oscillator('sawtooth', hz, cents);
  const amp = voice.gain();
  const end = adsr(amp.gain, note.time, note.duration, note.velocity, env);
  if (!budget.admit(note.time, end)) return;
  chain(a, amp);
  chain(b, amp, into);
  voice.play(note.time, end);
}
