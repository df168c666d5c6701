/**
 * What the sampler plays for a track: its catalog preset (core/song/instrument-catalog.ts) as a
 * SoundFont bank/program, and which synth channel carries it. Pure: the live sampler (page), the
 * offline render (worker) and the tests share it, so both renders pick the same sounds.
 */
import { resolveInstrument } from '../../../core/song/instrument-catalog.ts';
import { programForTrack } from '../../../core/midi/general-midi.ts';
import type { TrackRole } from '../../../core/song/types.ts';

export interface SamplerPatch {
  /** The catalog id (what the track header shows). */
  id: string;
  /** SoundFont bank: 128 is the percussion bank (drum kits). */
  bank: 0 | 128;
  program: number;
  /** A drum kit: the channel is switched to percussion, `program` picks the kit. */
  drums: boolean;
}

export function patchForTrack(track: { role: TrackRole; instrument: string }): SamplerPatch {
  const preset = resolveInstrument(track, programForTrack(track));
  return { id: preset.id, bank: preset.bank, program: preset.program, drums: preset.bank === 128 };
}

/**
 * The synth has 16 separate outputs (one per channel, mod 16): a track's sound reaches its own
 * mixer strip through one of them. Slot 15 is the audition's; song tracks take 0..14 in order,
 * and tracks past the 15th stay on the synthesized voices (a song that large is rare; the
 * trade-off is documented in ../README.md).
 */
export const OUTPUTS = 16;
export const AUDITION_SLOT = 15;
export const SONG_SLOTS = 15;

/**
 * Stop and seek must silence notes already committed up to a look-ahead ahead, which a synth
 * cannot un-schedule: the strip cuts its channel (all sound off, volume 0, at the stop's time)
 * and moves on to a fresh channel on the same output. GENERATIONS channels per output are
 * cycled (channel = slot + 16 × generation), so a cut channel's stale notes have long played out
 * (silently) before it is used again.
 */
export const GENERATIONS = 4;

export function channelFor(slot: number, generation: number): number {
  if (!Number.isInteger(slot) || slot < 0 || slot >= OUTPUTS) throw new Error(`sampler: no output slot ${slot}`);
  return slot + OUTPUTS * (generation % GENERATIONS);
}

/** Stable slots for song tracks: a track keeps its slot while it exists; freed slots are reused. */
export class SlotMap {
  private readonly byTrack = new Map<string, number>();

  /** The slots of these tracks (null: no slot left), dropping tracks no longer present. */
  assign(trackIds: readonly string[]): Map<string, number | null> {
    const present = new Set(trackIds);
    for (const id of [...this.byTrack.keys()]) if (!present.has(id)) this.byTrack.delete(id);
    const used = new Set(this.byTrack.values());
    const out = new Map<string, number | null>();
    for (const id of trackIds) {
      let slot = this.byTrack.get(id);
      if (slot === undefined) {
        for (let s = 0; s < SONG_SLOTS; s++) {
          if (!used.has(s)) {
            slot = s;
            break;
          }
        }
        if (slot !== undefined) {
          this.byTrack.set(id, slot);
          used.add(slot);
        }
      }
      out.set(id, slot ?? null);
    }
    return out;
  }
}

/**
 * The MIDI messages that put a fresh channel on a patch at unity level, centred and dry: the
 * mixer strip does volume, pan and reverb, as for every track (drum mode is set apart, through
 * the synth's API, since the percussion flag is no plain MIDI message in GM).
 */
export function channelSetup(channel: number, patch: SamplerPatch): number[][] {
  const ch = channel % 16;
  const cc = (controller: number, value: number) => [0xb0 | ch, controller, value];
  return [
    cc(121, 0), // reset all controllers
    cc(7, 127), // volume: unity (the strip's fader does the rest)
    cc(11, 127), // expression
    cc(10, 64), // pan: centre (the strip's panner pans)
    cc(91, 0), // the synth's reverb send: off (the mixer's reverb)
    cc(93, 0), // chorus: off
    cc(0, patch.drums ? 0 : patch.bank),
    [0xc0 | ch, patch.program],
  ];
}

/** Cuts a channel at once: all sound off, and silent for whatever else is still queued on it. */
export function channelCut(channel: number): number[][] {
  const ch = channel % 16;
  return [
    [0xb0 | ch, 120, 0],
    [0xb0 | ch, 7, 0],
    [0xb0 | ch, 123, 0],
  ];
}
