/**
 * Where the watermark lives: a grid of time-frequency tiles — mel-spaced bands between 300 Hz and
 * 7 kHz (inside what a 16 kHz analysis, a 128 kb/s MP3 and any resampler keep) by 40 ms slots —
 * repeated every frame of FRAME_SLOTS slots (5.12 s), so a 10-second excerpt from anywhere holds
 * each tile about twice. Three quarters of each frame's tiles carry a fixed sync pattern (how the
 * detector finds where the frame starts, and its evidence that the mark is there: detection is
 * what must work on a 10-second excerpt); the other quarter carry the coded payload, each of the
 * 172 coded bits spread over ~6 tiles a frame, scattered in time and frequency (interleaving: a
 * loud drum hit or a quiet bar only hides some of a bit), so the payload is read from longer
 * audio, where frames repeat. Every tile has a pseudo-random chip sign (±1) from a fixed key.
 *
 * The embedder scales each tile's spectrum by 1 ± a depth (embed.ts): the mark is then a
 * fraction of the music in every bin it touches, which is the shaping — a band's mark follows
 * its music.
 */
import { seededRandom } from '../random.ts';
import { CODED_BITS } from './code.ts';

/** The detector's working rate: every input is resampled to it first. */
export const WORK_RATE = 16_000;
export const SLOT_SECONDS = 0.04;
export const FRAME_SLOTS = 128;
export const FRAME_SECONDS = FRAME_SLOTS * SLOT_SECONDS;
export const BAND_COUNT = 32;
export const LOW_HZ = 300;
export const HIGH_HZ = 7000;
/**
 * The mark's nominal level: this fraction of the music's amplitude in each band over each second
 * (20·log10(0.032) = −29.9 dB; the embedder's check then trims it to at least 30.5 dB below).
 */
export const STRENGTH = 0.032;
/** The window (slots) over which a band's mark is held STRENGTH below its music: 1 s. */
export const BUDGET_SLOTS = 25;
/** The most a single tile is changed (−12 dB below that tile's own music). */
export const MAX_DEPTH = 0.25;
/** The key: which tiles are sync, their chips, the interleaving. Changing it changes the mark. */
const KEY = 0x52_69_66_66; // "Riff"

const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const hzOfMel = (m: number) => 700 * (10 ** (m / 2595) - 1);

/** BAND_COUNT + 1 edges, Hz. */
export const BAND_EDGES_HZ: readonly number[] = Array.from({ length: BAND_COUNT + 1 }, (_, i) =>
  hzOfMel(mel(LOW_HZ) + ((mel(HIGH_HZ) - mel(LOW_HZ)) * i) / BAND_COUNT),
);

/** The band a frequency falls in, or -1 outside LOW_HZ..HIGH_HZ. */
export function bandOf(hz: number): number {
  if (hz < LOW_HZ || hz >= HIGH_HZ) return -1;
  let lo = 0;
  let hi = BAND_COUNT - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (BAND_EDGES_HZ[mid]! <= hz) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface Layout {
  /** Per tile (slot * BAND_COUNT + band): the coded bit it carries, or -1 for sync. */
  role: Int16Array;
  /** Per tile: its chip, ±1. */
  chip: Int8Array;
}

let layout: Layout | null = null;

export function frameLayout(): Layout {
  if (layout) return layout;
  const tiles = FRAME_SLOTS * BAND_COUNT;
  const random = seededRandom(KEY);
  const order = Array.from({ length: tiles }, (_, i) => i);
  for (let i = tiles - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const role = new Int16Array(tiles);
  const syncTiles = (tiles * 3) / 4;
  order.forEach((tile, i) => {
    role[tile] = i < syncTiles ? -1 : (i - syncTiles) % CODED_BITS;
  });
  const chip = new Int8Array(tiles);
  for (let i = 0; i < tiles; i++) chip[i] = random() < 0.5 ? -1 : 1;
  layout = { role, chip };
  return layout;
}

/**
 * The sign each tile of a frame is pushed by for this payload's coded bits (0/1): the chip, times
 * ±1 for the coded bit it carries (sync tiles: the chip alone).
 */
export function tileSigns(coded: Uint8Array): Int8Array {
  const { role, chip } = frameLayout();
  const signs = new Int8Array(role.length);
  for (let i = 0; i < role.length; i++) {
    const r = role[i]!;
    signs[i] = r < 0 ? chip[i]! : chip[i]! * (coded[r] ? 1 : -1);
  }
  return signs;
}
