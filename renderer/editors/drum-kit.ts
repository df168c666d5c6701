/**
 * The drum grid's rows: the kit pieces of the General MIDI map that the synthesized kit plays
 * (renderer/audio/presets.ts), named, cymbals at the top and the kick at the bottom as drummers
 * read a chart; plus a row for any other pitch a clip holds (imported or generated), so no hit
 * is ever hidden.
 */
import { rowModel, type RowModel } from './rows.ts';

export interface KitPiece {
  pitch: number;
  name: string;
}

/** The main kit, top row first. */
export const KIT_PIECES: readonly KitPiece[] = [
  { pitch: 49, name: 'Crash' },
  { pitch: 51, name: 'Ride' },
  { pitch: 46, name: 'Open hat' },
  { pitch: 42, name: 'Closed hat' },
  { pitch: 50, name: 'High tom' },
  { pitch: 48, name: 'Mid tom' },
  { pitch: 45, name: 'Low tom' },
  { pitch: 38, name: 'Snare' },
  { pitch: 36, name: 'Kick' },
];

/** General MIDI percussion names (channel 10), for rows outside the main kit. */
const GM_PERCUSSION: Readonly<Record<number, string>> = {
  35: 'Kick 2',
  36: 'Kick',
  37: 'Side stick',
  38: 'Snare',
  39: 'Clap',
  40: 'Snare 2',
  41: 'Low floor tom',
  42: 'Closed hat',
  43: 'High floor tom',
  44: 'Pedal hat',
  45: 'Low tom',
  46: 'Open hat',
  47: 'Low-mid tom',
  48: 'Mid tom',
  49: 'Crash',
  50: 'High tom',
  51: 'Ride',
  52: 'China',
  53: 'Ride bell',
  54: 'Tambourine',
  55: 'Splash',
  56: 'Cowbell',
  57: 'Crash 2',
  58: 'Vibraslap',
  59: 'Ride 2',
  60: 'High bongo',
  61: 'Low bongo',
  62: 'Mute high conga',
  63: 'Open high conga',
  64: 'Low conga',
  65: 'High timbale',
  66: 'Low timbale',
  67: 'High agogo',
  68: 'Low agogo',
  69: 'Cabasa',
  70: 'Maracas',
  71: 'Short whistle',
  72: 'Long whistle',
  73: 'Short guiro',
  74: 'Long guiro',
  75: 'Claves',
  76: 'High wood block',
  77: 'Low wood block',
  78: 'Mute cuica',
  79: 'Open cuica',
  80: 'Mute triangle',
  81: 'Open triangle',
};

export function drumName(pitch: number): string {
  return GM_PERCUSSION[pitch] ?? `Key ${pitch}`;
}

/**
 * Rows for a clip: the main kit, then every other pitch its notes use, highest first, so extra
 * rows sit above the kit in a stable order.
 */
export function drumRows(notePitches: Iterable<number>): RowModel {
  const kit = new Set(KIT_PIECES.map((k) => k.pitch));
  const extra = [...new Set(notePitches)].filter((p) => !kit.has(p)).sort((a, b) => b - a);
  return rowModel([...extra, ...KIT_PIECES.map((k) => k.pitch)]);
}
