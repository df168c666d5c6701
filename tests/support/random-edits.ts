/**
 * Seeded random edit sequences over every kind of typed edit (core/song/edits.ts), for tests
 * that need realistic, reproducible editing sessions.
 */
import type * as Y from 'yjs';
import * as edits from '../../core/song/edits.ts';
import { bookmarksMap, clipNotes, clipsMap, tracksMap } from '../../core/song/schema.ts';
import { TRACK_ROLES } from '../../core/song/types.ts';
import { EditError } from '../../core/song/validate.ts';
import { seededRandom } from '../../core/random.ts';

export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    if (!items.length) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const EDIT_KINDS = [
  'addTrack',
  'updateTrack',
  'removeTrack',
  'addClip',
  'moveClip',
  'resizeClip',
  'duplicateClip',
  'deleteClip',
  'renameClip',
  'lockClip',
  'addNotes',
  'moveNotes',
  'updateNotes',
  'deleteNotes',
  'replaceClipNotes',
  'setChords',
  'setTempo',
  'setMeter',
  'setKey',
  'setSwing',
  'setLoop',
  'setTitle',
  'addBookmark',
  'renameBookmark',
  'deleteBookmark',
] as const;
export type EditKind = (typeof EDIT_KINDS)[number];

const CHORDS = ['C', 'Am7', 'F', 'G7', 'Dm', 'Bb7/D', 'E7', 'F#m7b5'];

function randomNotes(rng: Rng, count: number, maxTick: number): { pitch: number; tick: number; duration: number; velocity: number }[] {
  return Array.from({ length: count }, () => ({
    pitch: rng.int(30, 90),
    tick: rng.int(0, Math.max(0, maxTick - 1)),
    duration: rng.int(1, 960),
    velocity: rng.int(1, 127),
  }));
}

/**
 * Makes one random edit on `doc` (exactly one transaction) and returns its kind, or null when the
 * chosen edit did not apply to the current song (nothing was written then).
 */
export function randomEdit(doc: Y.Doc, rng: Rng, kinds: readonly EditKind[] = EDIT_KINDS, options?: edits.EditOptions): EditKind | null {
  const tracks = [...tracksMap(doc).keys()];
  const clips = [...clipsMap(doc).keys()];
  const kind = rng.pick(kinds);
  const clipId = () => rng.pick(clips);
  const notesOf = (id: string) => [...clipNotes(clipsMap(doc).get(id)!).keys()];
  // Clips are 1-4 bars; 480 * 4 * 1 ticks is safe in any meter up to 4/4-sized bars.
  const safeTicks = 480 * 3;
  try {
    switch (kind) {
      case 'addTrack':
        edits.addTrack(doc, { role: rng.pick(TRACK_ROLES), volumeDb: rng.int(-20, 3) }, options);
        return kind;
      case 'updateTrack':
        if (!tracks.length) return null;
        edits.updateTrack(
          doc,
          rng.pick(tracks),
          rng.chance(0.5) ? { mute: rng.chance(0.5) } : { pan: rng.int(-10, 10) / 10, name: `T${rng.int(0, 99)}` },
          options,
        );
        return kind;
      case 'removeTrack':
        if (tracks.length < 3) return null;
        edits.removeTrack(doc, rng.pick(tracks), options);
        return kind;
      case 'addClip':
        if (!tracks.length) return null;
        edits.addClip(
          doc,
          {
            trackId: rng.pick(tracks),
            startBar: rng.int(0, 64),
            lengthBars: rng.int(1, 4),
            notes: randomNotes(rng, rng.int(0, 4), safeTicks),
          },
          options,
        );
        return kind;
      case 'moveClip':
        if (!clips.length) return null;
        edits.moveClip(doc, clipId(), { startBar: rng.int(0, 64), trackId: rng.chance(0.3) ? rng.pick(tracks) : undefined }, options);
        return kind;
      case 'resizeClip':
        if (!clips.length) return null;
        edits.resizeClip(doc, clipId(), rng.int(1, 8), options);
        return kind;
      case 'duplicateClip':
        if (!clips.length) return null;
        edits.duplicateClip(doc, clipId(), { startBar: rng.int(0, 64) }, options);
        return kind;
      case 'deleteClip':
        if (clips.length < 2) return null;
        edits.deleteClip(doc, clipId(), options);
        return kind;
      case 'renameClip':
        if (!clips.length) return null;
        edits.renameClip(doc, clipId(), `Clip ${rng.int(0, 999)}`, options);
        return kind;
      case 'lockClip':
        if (!clips.length) return null;
        edits.setClipLocked(doc, clipId(), rng.chance(0.3), options);
        return kind;
      case 'addNotes':
        if (!clips.length) return null;
        edits.addNotes(doc, clipId(), randomNotes(rng, rng.int(1, 5), safeTicks), options);
        return kind;
      case 'moveNotes': {
        if (!clips.length) return null;
        const id = clipId();
        const notes = notesOf(id).filter(() => rng.chance(0.6));
        if (!notes.length) return null;
        edits.moveNotes(doc, id, notes, { ticks: rng.int(-120, 120), semitones: rng.int(-3, 3) }, options);
        return kind;
      }
      case 'updateNotes': {
        if (!clips.length) return null;
        const id = clipId();
        const notes = notesOf(id);
        if (!notes.length) return null;
        edits.updateNotes(doc, id, [{ id: rng.pick(notes), velocity: rng.int(1, 127), duration: rng.int(1, 480) }], options);
        return kind;
      }
      case 'deleteNotes': {
        if (!clips.length) return null;
        const id = clipId();
        const notes = notesOf(id).filter(() => rng.chance(0.4));
        if (!notes.length) return null;
        edits.deleteNotes(doc, id, notes, options);
        return kind;
      }
      case 'replaceClipNotes':
        if (!clips.length) return null;
        edits.replaceClipNotes(
          doc,
          clipId(),
          randomNotes(rng, rng.int(0, 6), safeTicks),
          { source: 'model', detail: { seed: rng.int(0, 1e6) } },
          'generated riff',
          options,
        );
        return kind;
      case 'setChords': {
        const bar = rng.int(0, 16);
        const from = bar * 1920;
        const count = rng.int(0, 3);
        const chords = Array.from({ length: count }, (_, i) => ({ tick: from + i * 480, duration: 480, symbol: rng.pick(CHORDS) }));
        edits.setChords(doc, from, from + 1920, chords, options);
        return kind;
      }
      case 'setTempo':
        edits.setTempo(doc, rng.int(60, 200), options);
        return kind;
      case 'setMeter':
        edits.setMeter(
          doc,
          rng.pick([
            { numerator: 4, denominator: 4 },
            { numerator: 3, denominator: 4 },
            { numerator: 6, denominator: 8 },
          ]),
          options,
        );
        return kind;
      case 'setKey':
        edits.setKey(doc, { tonic: rng.int(0, 11), mode: rng.pick(['major', 'minor'] as const) }, options);
        return kind;
      case 'setSwing':
        edits.setSwing(doc, rng.int(0, 10) / 10, options);
        return kind;
      case 'setLoop': {
        const start = rng.int(0, 32);
        edits.setLoop(doc, rng.chance(0.2) ? null : { startBar: start, endBar: start + rng.int(1, 8) }, options);
        return kind;
      }
      case 'setTitle':
        edits.setTitle(doc, `Jam ${rng.int(0, 999)}`, options);
        return kind;
      case 'addBookmark':
        edits.addBookmark(doc, rng.pick(['Intro', 'Verse', 'Chorus', 'Bridge']), rng.int(0, 64), options);
        return kind;
      case 'renameBookmark': {
        const ids = [...bookmarksMap(doc).keys()];
        if (!ids.length) return null;
        edits.renameBookmark(doc, rng.pick(ids), `Part ${rng.int(0, 9)}`, options);
        return kind;
      }
      case 'deleteBookmark': {
        const ids = [...bookmarksMap(doc).keys()];
        if (!ids.length) return null;
        edits.deleteBookmark(doc, rng.pick(ids), options);
        return kind;
      }
    }
  } catch (err) {
    // A random choice that breaks a rule (a locked clip, a note past the clip's end): skipped.
    if (err instanceof EditError) return null;
    throw err;
  }
}

/** Starts a song with a couple of tracks and clips so that every edit kind has something to act on. */
export function seedSong(doc: Y.Doc, rng: Rng): void {
  edits.initSong(doc, { title: 'Random jam' });
  const t1 = edits.addTrack(doc, { role: 'drums' });
  const t2 = edits.addTrack(doc, { role: 'bass' });
  edits.addClip(doc, { trackId: t1, startBar: 0, lengthBars: 2, notes: randomNotes(rng, 4, 480 * 4) });
  edits.addClip(doc, { trackId: t2, startBar: 2, lengthBars: 2, notes: randomNotes(rng, 3, 480 * 4) });
}
