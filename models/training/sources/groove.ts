/**
 * Groove MIDI Dataset reader (Gillick et al. 2019, CC BY 4.0): info.csv names each performance's
 * style, tempo, meter and split; the MIDI holds the drummer's hits on a Roland kit, which are
 * mapped to the nine kit pieces the model writes (the usual reduction for this dataset).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMidi } from '../../../core/midi/midi-read.ts';
import type { NoteInput } from '../../../core/song/types.ts';
import { ticksPerBar } from '../../../core/time.ts';
import { STYLES } from '../../../inference/tokenizer/vocabulary.ts';
import type { Piece, SkippedFile } from '../piece.ts';
import { readCsv } from './text-files.ts';

/** Roland TD-11 / General MIDI drum notes → kick, snare, closed/open hi-hat, toms, crash, ride. */
const KIT_MAP: Record<number, number> = {
  36: 36,
  35: 36,
  38: 38,
  37: 38,
  40: 38,
  42: 42,
  22: 42,
  44: 42,
  46: 46,
  26: 46,
  43: 45,
  58: 45,
  41: 45,
  45: 45,
  47: 48,
  48: 48,
  50: 50,
  49: 49,
  52: 49,
  55: 49,
  57: 49,
  51: 51,
  53: 51,
  59: 51,
};

export function mapDrumPitch(pitch: number): number | null {
  return KIT_MAP[pitch] ?? null;
}

/** Reads `<groove>/info.csv` and the MIDI files it names; bad rows are reported, never fatal. */
export function readGroove(grooveDir: string): { pieces: Piece[]; skipped: SkippedFile[] } {
  const pieces: Piece[] = [];
  const skipped: SkippedFile[] = [];
  const info = join(grooveDir, 'info.csv');
  if (!existsSync(info)) return { pieces, skipped };
  for (const row of readCsv(info)) {
    const file = join(grooveDir, row.midi_filename ?? '');
    try {
      pieces.push(readGrooveRow(grooveDir, row));
    } catch (error) {
      skipped.push({ file, reason: (error as Error).message });
    }
  }
  return { pieces, skipped };
}

export function readGrooveRow(grooveDir: string, row: Record<string, string>): Piece {
  const file = join(grooveDir, row.midi_filename ?? '');
  if (!row.midi_filename || !existsSync(file)) throw new Error('MIDI file named in info.csv is missing');
  const [numerator, denominator] = (row.time_signature ?? '4-4').split('-').map(Number);
  if (!numerator || !denominator) throw new Error(`bad time signature "${row.time_signature}"`);
  const meter = { numerator, denominator };
  const midi = readMidi(readFileSync(file));
  const notes: NoteInput[] = [];
  for (const track of midi.tracks) {
    for (const note of track.notes) {
      const pitch = mapDrumPitch(note.pitch);
      if (pitch !== null) notes.push({ ...note, pitch });
    }
  }
  if (notes.length === 0) throw new Error('no drum hits');
  const quantized = quantizeToFeel(notes);
  const bpm = Number(row.bpm) || midi.bpm;
  const lastTick = quantized.at(-1)!.tick + 1;
  const split = row.split === 'train' || row.split === 'validation' || row.split === 'test' ? row.split : null;
  return {
    source: 'groove',
    id: `groove/${row.id}`,
    group: `groove/${row.id}`,
    datasetSplit: split,
    style: grooveStyle(row.style ?? ''),
    meter,
    bpm,
    keys: [],
    lengthBars: Math.ceil(lastTick / ticksPerBar(meter)),
    tracks: [{ role: 'drums', notes: quantized }],
    chords: [],
  };
}

/**
 * Drummers play around the grid, not on it. Each performance is snapped to the grid that fits it
 * best, straight 16ths or 8th-note triplets (swing, shuffles, 6/8 feels), so the model learns the
 * groove rather than each hit's few milliseconds of push or drag (which velocity and the chosen
 * grid already carry). One hit per kit piece per grid point survives (the loudest).
 */
export function quantizeToFeel(notes: readonly NoteInput[]): NoteInput[] {
  const grids = [120, 160];
  const error = (grid: number): number => notes.reduce((sum, n) => sum + Math.abs(n.tick - Math.round(n.tick / grid) * grid), 0);
  const grid = error(160) < error(120) * 0.8 ? 160 : grids[0]!;
  const byPoint = new Map<string, NoteInput>();
  for (const note of notes) {
    const tick = Math.round(note.tick / grid) * grid;
    const key = `${tick}:${note.pitch}`;
    const seen = byPoint.get(key);
    if (!seen || seen.velocity < note.velocity) byPoint.set(key, { ...note, tick, duration: 120 });
  }
  return [...byPoint.values()].sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
}

/** "funk/purdieshuffle" → "funk"; styles the vocabulary does not name → "any". */
export function grooveStyle(label: string): string {
  const primary = label.split('/')[0]!.trim().toLowerCase();
  return (STYLES as readonly string[]).includes(primary) ? primary : 'any';
}
