/**
 * A synthesized drum kit (no samples: nothing can be downloaded): kick, snare, closed and open
 * hi-hat, three toms, crash and ride, played by General MIDI key (presets.ts drumVoiceFor).
 *
 * Each hit is the classic analogue recipe, built per hit from a few native nodes (voice-kit.ts):
 * a pitch-swept sine for kick and toms, a tuned body plus filtered noise for the snare, high-passed
 * noise for the hats, and the TR-808's six detuned square waves plus noise for the cymbals. Each
 * drum then goes through its own fixed filter, level and place in the stereo field. The closed
 * hat chokes a ringing open hat, as on a real hi-hat stand. Drum notes are one-shots: their MIDI
 * length is ignored.
 */
import { Gain, Panner, type ToneAudioNode } from 'tone';
import { drumVoiceFor, type DrumVoice } from '../../presets.ts';
import type { Instrument, InstrumentContext } from './instrument.ts';
import { Voice, VoiceBudget, chain, hit, prepareNoise } from './voice-kit.ts';

type Hit = (time: number, velocity: number) => void;

/** The TR-808 cymbal's six square-wave oscillators, Hz. */
const METAL = [205.3, 304.4, 369.6, 522.7, 540, 800];

export function createDrumKit({ context }: InstrumentContext): Instrument {
  const output = new Gain({ context, gain: 1 });
  const persistent: { dispose(): void }[] = [output];
  const natives: AudioNode[] = [];
  const budget = new VoiceBudget(64);
  prepareNoise(context);

  /** A drum's fixed path: filters (native biquads), level, pan, into the kit's output. */
  const path = (level: number, pan: number, ...filters: [BiquadFilterType, number, number?][]): ToneAudioNode | AudioNode => {
    const gain = new Gain({ context, gain: level });
    const panner = new Panner({ context, pan });
    gain.chain(panner, output);
    persistent.push(gain, panner);
    const nodes = filters.map(([type, frequency, q]) => {
      const f = context.createBiquadFilter();
      f.type = type;
      f.frequency.value = frequency;
      f.Q.value = q ?? 0.7;
      natives.push(f);
      return f;
    });
    if (!nodes.length) return gain;
    chain(...nodes, gain);
    return nodes[0]!;
  };

  const kickPath = path(0.95, 0);
  const clickPath = path(0.18, 0, ['highpass', 2500]);
  const snareBodyPath = path(0.55, 0);
  const wiresPath = path(0.42, 0, ['highpass', 1100], ['lowpass', 9000]);
  const closedPath = path(0.3, 0.25, ['highpass', 7000, 1.2]);
  const openPath = path(0.26, 0.25, ['highpass', 7000, 1.2]);
  const crashPath = path(0.1, -0.3, ['bandpass', 9000, 0.6], ['highpass', 5000]);
  const washPath = path(0.16, -0.3, ['highpass', 4000]);
  const ridePath = path(0.2, 0.35, ['highpass', 6500, 1.5]);

  /** A sine swept down from `hz × 2^octaves` to `hz`, decaying: kick, snare body and toms. */
  const membrane =
    (dest: ToneAudioNode | AudioNode, hz: number, octaves: number, sweep: number, decay: number, wave: OscillatorType = 'sine'): Hit =>
    (time, v) => {
      const voice = new Voice(context);
      const osc = voice.oscillator(wave, hz * 2 ** octaves);
      osc.frequency.setValueAtTime(hz * 2 ** octaves, time);
      osc.frequency.exponentialRampToValueAtTime(hz, time + sweep);
      const amp = voice.gain();
      const end = hit(amp.gain, time, v, 0.001, decay);
      if (!budget.admit(time, end)) return;
      chain(osc, amp, dest);
      voice.play(time, end);
    };

  /** A burst of noise with a percussive envelope; returns its gain node (the open hat's choke needs it). */
  const noiseHit = (dest: ToneAudioNode | AudioNode, time: number, v: number, attack: number, decay: number): GainNode | null => {
    const voice = new Voice(context);
    const src = voice.noise();
    const amp = voice.gain();
    const end = hit(amp.gain, time, v, attack, decay);
    if (!budget.admit(time, end)) return null;
    chain(src, amp, dest);
    voice.play(time, end);
    return amp;
  };

  /** Six detuned squares: the metallic body of a cymbal. */
  const metal = (dest: ToneAudioNode | AudioNode, time: number, v: number, scale: number, decay: number): void => {
    const voice = new Voice(context);
    const amp = voice.gain();
    const end = hit(amp.gain, time, v, 0.001, decay);
    if (!budget.admit(time, end)) return;
    for (const hz of METAL) chain(voice.oscillator('square', hz * scale), amp);
    chain(amp, dest);
    voice.play(time, end);
  };

  const kick = membrane(kickPath, 48, 5, 0.045, 0.42);
  const snareBody = membrane(snareBodyPath, 190, 1.6, 0.02, 0.13, 'triangle');
  let openHat: { gain: GainNode; end: number } | null = null;

  const hits: Record<DrumVoice, Hit> = {
    kick: (time, v) => {
      kick(time, v);
      noiseHit(clickPath, time, v, 0.0005, 0.006);
    },
    snare: (time, v) => {
      snareBody(time, v);
      noiseHit(wiresPath, time, v, 0.001, 0.17);
    },
    'closed-hat': (time, v) => {
      // Closing the hat silences a ringing open hat within ~10 ms.
      if (openHat && openHat.end > time) openHat.gain.gain.setTargetAtTime(0, time, 0.004);
      noiseHit(closedPath, time, v, 0.001, 0.045);
    },
    'open-hat': (time, v) => {
      const gain = noiseHit(openPath, time, v, 0.002, 0.5);
      if (gain) openHat = { gain, end: time + 0.5 };
    },
    'low-tom': membrane(path(0.7, -0.3), 82, 1.8, 0.07, 0.5),
    'mid-tom': membrane(path(0.7, 0), 110, 1.8, 0.07, 0.5),
    'high-tom': membrane(path(0.7, 0.3), 147, 1.8, 0.07, 0.5),
    crash: (time, v) => {
      metal(crashPath, time, v, 1.4, 1.4);
      noiseHit(washPath, time, v, 0.003, 1.6);
    },
    ride: (time, v) => metal(ridePath, time, v, 2.1, 0.8),
  };

  return {
    output,
    play(pitch, time, _duration, velocity) {
      const voice = drumVoiceFor(pitch);
      if (voice) hits[voice](time, velocity);
    },
    dispose() {
      for (const node of natives) node.disconnect();
      for (const node of persistent) node.dispose();
    },
  };
}
