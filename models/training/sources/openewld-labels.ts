/**
 * OpenEWLD's metadata tables: features.csv (meter and tonality per lead sheet, from music21) and
 * genres.csv (Discogs genres with how many releases carried them). Both are optional: a missing
 * or unreadable table only means fewer labels, never a failed run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Meter } from '../../../core/time.ts';
import type { Key } from '../../../core/song/types.ts';
import type { Style } from '../../../inference/tokenizer/vocabulary.ts';

/** Something worth reporting that did not stop a file from being read. */
export interface OpenEwldWarning {
  file: string;
  message: string;
}

export interface OpenEwldLabels {
  /** Path relative to the openewld folder, "/"-separated: "dataset/<composer>/<title>/<title>.mxl". */
  relativePath: string;
  /** The Discogs genre with the most occurrences, or null when genres.csv has none. */
  genre: string | null;
  /**
   * Meters and tonalities from features.csv, in file order. Usually one each; some lead sheets
   * have several rows that disagree (the table was joined against other versions of the song).
   */
  meters: Meter[];
  keys: Key[];
}

/**
 * Discogs' top-level genres onto the model's styles. Genres that say nothing about how the music
 * sounds (Children's, Non-Music, Brass & Military) become 'any', as does a lead sheet with none.
 */
const GENRE_STYLE: Record<string, Style> = {
  Jazz: 'jazz',
  Rock: 'rock',
  Pop: 'pop',
  'Folk, World, & Country': 'folk',
  Blues: 'blues',
  Latin: 'latin',
  'Funk / Soul': 'soul',
  Classical: 'classical',
  Electronic: 'electronic',
  'Hip Hop': 'hiphop',
  Reggae: 'reggae',
  'Stage & Screen': 'stage',
  "Children's": 'any',
  'Non-Music': 'any',
  'Brass & Military': 'any',
};

export function styleForGenre(genre: string | null | undefined): Style {
  return (genre && GENRE_STYLE[genre.trim()]) || 'any';
}

/**
 * Labels for every lead sheet either table mentions, keyed by NFC-normalized relative path
 * (file systems may hand back decomposed accents). A missing or malformed table adds a warning.
 */
export function loadOpenEwldLabels(datasetDir: string, warnings: OpenEwldWarning[] = []): Map<string, OpenEwldLabels> {
  const labels = new Map<string, OpenEwldLabels>();
  const entry = (leadsheet: string): OpenEwldLabels => {
    const key = normalizePath(leadsheet);
    let found = labels.get(key);
    if (!found) labels.set(key, (found = { relativePath: key, genre: null, meters: [], keys: [] }));
    return found;
  };

  for (const row of readTable(datasetDir, 'features.csv', ['leadsheet', 'metric', 'tonality'], warnings)) {
    const labelsFor = entry(row.leadsheet!);
    const meter = parseMetric(row.metric!);
    if (meter && !labelsFor.meters.some((m) => m.numerator === meter.numerator && m.denominator === meter.denominator)) {
      labelsFor.meters.push(meter);
    }
    const key = parseTonality(row.tonality!);
    if (key && !labelsFor.keys.some((k) => k.tonic === key.tonic && k.mode === key.mode)) labelsFor.keys.push(key);
  }

  // Rows repeat (the same genre twice with the same count), so a genre's weight is its largest
  // count, not the sum; ties go to the genre listed first.
  const genreCounts = new Map<string, Map<string, number>>();
  for (const row of readTable(datasetDir, 'genres.csv', ['leadsheet', 'genre', 'occurrences'], warnings)) {
    const key = entry(row.leadsheet!).relativePath;
    const counts = genreCounts.get(key) ?? new Map<string, number>();
    genreCounts.set(key, counts);
    const occurrences = Number(row.occurrences) || 0;
    counts.set(row.genre!, Math.max(counts.get(row.genre!) ?? 0, occurrences));
  }
  for (const [key, counts] of genreCounts) {
    let best: string | null = null;
    for (const [genre, count] of counts) if (best === null || count > counts.get(best)!) best = genre;
    labels.get(key)!.genre = best;
  }
  return labels;
}

export function normalizePath(relative: string): string {
  return relative.split(path.sep).join('/').replace(/^\.\//, '').normalize('NFC');
}

/** "4/4" → 4/4; anything else → null. */
export function parseMetric(text: string): Meter | null {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return null;
  const meter = { numerator: Number(match[1]), denominator: Number(match[2]) };
  return meter.numerator > 0 && meter.denominator > 0 ? meter : null;
}

const LETTER_PC: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/** music21's key names: "C major", "E- major" (flats are "-"), "F# minor". */
export function parseTonality(text: string): Key | null {
  const match = /^\s*([A-Ga-g])([#\-b]*)\s+(major|minor)\s*$/i.exec(text);
  if (!match) return null;
  let tonic = LETTER_PC[match[1]!.toUpperCase()]!;
  for (const accidental of match[2]!) tonic += accidental === '#' ? 1 : -1;
  return { tonic: ((tonic % 12) + 12) % 12, mode: match[3]!.toLowerCase() === 'minor' ? 'minor' : 'major' };
}

/** A CSV file's rows as header → value records; [] (and a warning) when absent or unusable. */
function readTable(dir: string, name: string, columns: string[], warnings: OpenEwldWarning[]): Record<string, string>[] {
  const file = path.join(dir, name);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    warnings.push({
      file,
      message: `not read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): its labels are missing`,
    });
    return [];
  }
  const [header, ...rows] = parseCsv(text);
  if (!header || columns.some((c) => !header.includes(c))) {
    warnings.push({ file, message: `expected columns ${columns.join(', ')}: its labels are ignored` });
    return [];
  }
  return rows.filter((r) => r.length === header.length).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!])));
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') {
        field += c;
      } else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else {
        quoted = false;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}
