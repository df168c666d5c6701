/**
 * OpenEWLD (Open Enhanced Wikifonia Leadsheet Dataset): 502 public-domain lead sheets as
 * compressed MusicXML, one melody plus chord symbols each, with music21 features and Discogs
 * genres in CSV tables beside them. Each lead sheet becomes one Piece with a 'lead' track and a
 * chord track.
 *
 * The score's key signature is preferred to features.csv's tonality. Of the 91 single-row lead
 * sheets where they differ, the table's key is a fifth sharp of the score's in 78 (it names the
 * dominant), and the final chord's root matches the score's key in 72 but the table's in 11; the
 * table also lists two different tonalities for 35 lead sheets and only ever "major". So the
 * tables fill in only what a score lacks (9 files have no <key>, 8 no <time>: the README's known
 * music21 export bugs); their meters agree with every score that has one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ticksPerBar, type Meter } from '../../../core/time.ts';
import type { Key } from '../../../core/song/types.ts';
import type { Piece, SkippedFile } from '../piece.ts';
import { readMxl } from './mxl.ts';
import type { LeadSheet } from './musicxml.ts';
import { loadOpenEwldLabels, normalizePath, styleForGenre, type OpenEwldLabels, type OpenEwldWarning } from './openewld-labels.ts';

export type { OpenEwldLabels, OpenEwldWarning } from './openewld-labels.ts';

const DEFAULT_BPM = 120;
/** Meters the rest of the pipeline can put on a bar grid (core/time.ts's Meter). */
const DENOMINATORS = new Set([2, 4, 8, 16]);

/**
 * Reads every .mxl file under `datasetDir` (the openewld folder holding features.csv, genres.csv
 * and dataset/). Files that cannot be read are listed in `skipped` with the reason; the run itself
 * never fails because of one file or a missing table. `warnings` lists what was read but is
 * worth knowing (a meter change, a missing label table).
 */
export function readOpenEwld(datasetDir: string): { pieces: Piece[]; skipped: SkippedFile[]; warnings: OpenEwldWarning[] } {
  const warnings: OpenEwldWarning[] = [];
  const skipped: SkippedFile[] = [];
  const pieces: Piece[] = [];
  const labels = loadOpenEwldLabels(datasetDir, warnings);
  for (const relative of listMxlFiles(datasetDir, skipped)) {
    const file = path.join(datasetDir, relative);
    const key = normalizePath(relative);
    try {
      const piece = readOpenEwldFile(file, labels.get(key) ?? { relativePath: key }, (message) => warnings.push({ file, message }));
      pieces.push(piece);
    } catch (error) {
      skipped.push({ file, reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  return { pieces, skipped, warnings };
}

/**
 * One lead sheet as a Piece. `labels` are its rows from the dataset's tables (any part may be
 * missing); throws when the file cannot be read or lacks notes, chords or a key.
 */
export function readOpenEwldFile(file: string, labels: Partial<OpenEwldLabels> = {}, warn: (message: string) => void = () => {}): Piece {
  const relativePath = normalizePath(labels.relativePath ?? path.basename(file));
  const sheet = readMxl(fs.readFileSync(file), labels.meters?.[0] ? { fallbackMeter: labels.meters[0] } : {});
  for (const warning of sheet.warnings) warn(warning);
  if (sheet.meterSource === 'default') warn('no time signature in the score or features.csv: read as 4/4');
  const meter = checkMeter(sheet.meter);
  const key = sheet.key ?? keyFromLabels(labels.keys ?? [], sheet);
  if (!key) throw new Error('no key signature in the score and no tonality in features.csv');
  if (!sheet.notes.length) throw new Error('no melody notes');

  const barTicks = ticksPerBar(meter);
  // Whole bars on the piece's grid. This equals the number of measures except where a bar is
  // split in two around a repeat sign (two short measures, one bar).
  const lengthBars = Math.max(1, Math.ceil(sheet.lengthTicks / barTicks));
  // A symbol offset past the last bar line belongs to no bar the piece has.
  const chords = sheet.chords
    .filter((c) => c.tick < lengthBars * barTicks)
    .map((c) => ({ tick: c.tick, root: c.root, quality: c.quality }));
  if (!chords.length) throw new Error('no chord symbols');

  const id = `openewld/${relativePath.replace(/\.mxl$/i, '')}`;
  return {
    source: 'openewld',
    id,
    group: id, // one lead sheet per song
    datasetSplit: null,
    style: styleForGenre(labels.genre),
    meter,
    bpm: sheet.bpm ?? DEFAULT_BPM,
    keys: [{ tick: 0, key }],
    lengthBars,
    tracks: [{ role: 'lead', notes: sheet.notes }],
    chords,
  };
}

function checkMeter(meter: Meter): Meter {
  if (!DENOMINATORS.has(meter.denominator) || meter.numerator < 1 || meter.numerator > 32) {
    throw new Error(`unsupported meter ${meter.numerator}/${meter.denominator}`);
  }
  return meter;
}

/**
 * The table's tonality for a score without a key signature. When its rows disagree, the one
 * whose tonic is the final chord's root is the likelier (a song ends on its tonic).
 */
function keyFromLabels(keys: Key[], sheet: LeadSheet): Key | null {
  const lastRoot = sheet.chords.findLast((c) => c.root !== null)?.root;
  return keys.find((k) => k.tonic === lastRoot) ?? keys[0] ?? null;
}

/** .mxl files under the folder, relative to it, sorted so runs are reproducible. */
function listMxlFiles(datasetDir: string, skipped: SkippedFile[]): string[] {
  try {
    return fs
      .readdirSync(datasetDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.toLowerCase().endsWith('.mxl'))
      .sort();
  } catch (error) {
    skipped.push({ file: datasetDir, reason: `folder not read: ${(error as Error).message}` });
    return [];
  }
}
