/**
 * Synthesized signals for the meter's tests and benchmark: the EBU Tech 3341/3342 tone
 * sequences and a deterministic music-like mix (drums of filtered noise bursts, chords, a bass
 * line, verses and louder choruses), so no audio files are stored.
 */
import type { PcmAudio } from '../wav.ts';

export interface ToneSegment {
  seconds: number;
  /** Per-channel peak level, dBFS (-Infinity for silence). */
  dbfs: number;
}

/**
 * A 1 kHz sine (or `frequency`) through consecutive segments, the same in every channel, phase
 * continuous across segments, as Tech 3341 describes its tone sequences.
 */
export function toneSequence(
  sampleRate: number,
  segments: ToneSegment[],
  options: { channels?: number; frequency?: number } = {},
): PcmAudio {
  const channelCount = options.channels ?? 2;
  const frequency = options.frequency ?? 1000;
  const frames = segments.reduce((n, s) => n + Math.round(s.seconds * sampleRate), 0);
  const x = new Float32Array(frames);
  let i = 0;
  for (const segment of segments) {
    const amplitude = segment.dbfs === -Infinity ? 0 : 10 ** (segment.dbfs / 20);
    const end = i + Math.round(segment.seconds * sampleRate);
    for (; i < end; i++) x[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate);
  }
  return { sampleRate, channels: Array.from({ length: channelCount }, () => x.slice()) };
}

/**
 * A sine with the given amplitude (linear, full scale = 1) and starting phase, tapered with
 * 10 ms fades as Tech 3341's true-peak signals are.
 */
export function taperedSine(sampleRate: number, frequency: number, amplitude: number, phaseDegrees: number, seconds: number): Float32Array {
  const frames = Math.round(seconds * sampleRate);
  const fade = 0.01 * sampleRate;
  const x = new Float32Array(frames);
  const phase = (phaseDegrees * Math.PI) / 180;
  for (let i = 0; i < frames; i++) {
    const taper = Math.min(1, i / fade, (frames - 1 - i) / fade);
    x[i] = taper * amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate + phase);
  }
  return x;
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same signal on every machine. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MusicOptions {
  seconds: number;
  sampleRate: number;
  seed?: number;
  /** Overall gain, dB (0 puts the loudest peaks near full scale). */
  gainDb?: number;
  /** The drums' level, dB (their hits make the peaks: lower them for a denser, less peaky mix). */
  drumsDb?: number;
}

/**
 * Music-like stereo: 120 BPM, kick and snare of filtered noise bursts, hi-hats panned right,
 * a chord pad panned a little left, a bass line in the middle; 8-bar verses alternate with
 * choruses 6 dB louder, so the loudness moves as songs' does.
 */
export function musicLike(options: MusicOptions): PcmAudio {
  const { seconds, sampleRate } = options;
  const rand = random(options.seed ?? 1);
  const frames = Math.round(seconds * sampleRate);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  const beat = 0.5;
  const gain = 10 ** ((options.gainDb ?? 0) / 20);
  const drums = 10 ** ((options.drumsDb ?? 0) / 20);
  const section = (t: number) => (Math.floor(t / (16 * beat)) % 2 === 1 ? 1 : 0.5);
  const add = (start: number, length: number, pan: number, voice: (k: number, t: number) => number) => {
    const from = Math.round(start * sampleRate);
    const to = Math.min(frames, from + Math.round(length * sampleRate));
    const l = Math.cos(((pan + 1) * Math.PI) / 4);
    const r = Math.sin(((pan + 1) * Math.PI) / 4);
    for (let i = from; i < to; i++) {
      const v = voice(i - from, (i - from) / sampleRate) * gain * section(i / sampleRate);
      left[i] += v * l;
      right[i] += v * r;
    }
  };
  const chords = [
    [220, 277.18, 329.63],
    [196, 246.94, 293.66],
    [174.61, 220, 261.63],
    [196, 246.94, 329.63],
  ];
  const bass = [55, 49, 43.65, 49];
  for (let b = 0; b * beat < seconds; b++) {
    const t0 = b * beat;
    // Kick: a falling sine with a noisy click. Snare on 2 and 4: low-passed noise with a tone.
    if (b % 2 === 0)
      add(
        t0,
        0.3,
        0,
        (_k, t) =>
          drums *
          (0.7 * Math.exp(-t * 18) * Math.sin(2 * Math.PI * (50 + 80 * Math.exp(-t * 30)) * t) +
            0.05 * (rand() * 2 - 1) * Math.exp(-t * 200)),
      );
    else {
      let lp = 0;
      add(t0, 0.25, 0.1, (_k, t) => {
        lp += 0.5 * (rand() * 2 - 1 - lp);
        return drums * Math.exp(-t * 20) * (0.45 * lp + 0.15 * Math.sin(2 * Math.PI * 190 * t));
      });
    }
    // Hi-hats on every eighth: band-passed noise (x[n] - x[n-2]: centred on fs/4, nothing at DC
    // or at Nyquist, as recorded hats come through a converter's anti-aliasing filter).
    for (const offset of [0, beat / 2]) {
      let previous = 0;
      let older = 0;
      add(t0 + offset, 0.06, 0.6, (_k, t) => {
        const n = rand() * 2 - 1;
        const bp = n - older;
        older = previous;
        previous = n;
        return drums * 0.12 * bp * Math.exp(-t * 60);
      });
    }
    // A chord and a bass note every bar (4 beats).
    if (b % 4 === 0) {
      const bar = Math.floor(b / 4) % 4;
      add(t0, 4 * beat, -0.3, (_k, t) => {
        const env = Math.min(1, t / 0.05) * Math.exp(-t * 0.6);
        let v = 0;
        for (const f of chords[bar]!) v += Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(4 * Math.PI * f * t + 0.5);
        return 0.08 * env * v;
      });
      add(t0, 4 * beat, 0, (_k, t) => {
        const env = Math.min(1, t / 0.01) * Math.exp(-t * 0.8);
        const f = bass[bar]!;
        return 0.3 * env * (Math.sin(2 * Math.PI * f * t) + 0.4 * Math.sin(4 * Math.PI * f * t) + 0.2 * Math.sin(6 * Math.PI * f * t));
      });
    }
  }
  return { sampleRate, channels: [left, right] };
}
