/**
 * A realistic editing session for the benchmarks: a few bandmates building and then reworking an
 * 8-track song with the app's own typed edits. Seeded, so every run edits the same way.
 */
import * as Y from 'yjs';
import * as edits from '../../core/song/edits.ts';
import { clipNotes, clipsMap, readMeta } from '../../core/song/schema.ts';
import type { TrackRole } from '../../core/song/types.ts';
import { ticksPerBar } from '../../core/time.ts';
import { seededRandom } from '../../core/random.ts';
import { watchLabels, type AnnouncedEdit } from '../../core/song/edit-labels.ts';

export interface SessionEdit {
  author: number;
  update: Uint8Array;
  /** What the app would announce through awareness for this update (see edit-labels.ts). */
  announced: AnnouncedEdit;
}

const ROLES: TrackRole[] = ['drums', 'bass', 'keys', 'lead', 'keys', 'lead', 'other', 'drums'];

/**
 * Yields `count` Yjs updates, each one labelled edit made by one of `authors` simulated
 * bandmates (each its own Y.Doc, kept in sync). Mix: mostly note work (add, drag, velocity,
 * delete) over a song of 8 tracks x 16 clips, with occasional clip, chord and tempo edits.
 */
export function* editSession(count: number, options: { seed?: number; authors?: number } = {}): Generator<SessionEdit> {
  const random = seededRandom(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const docs = Array.from({ length: options.authors ?? 3 }, () => new Y.Doc());
  const pending: SessionEdit[] = [];
  docs.forEach((doc, author) => {
    let announced: AnnouncedEdit | null = null;
    watchLabels(doc, (label, tr) => (announced = { label, client: doc.clientID, clock: tr.beforeState.get(doc.clientID) ?? 0 }));
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === 'peer') return;
      pending.push({ author, update, announced: announced! });
      for (const other of docs) if (other !== doc) Y.applyUpdate(other, update, 'peer');
    });
  });
  const clips: string[] = [];
  const setup = docs[0]!;
  edits.initSong(setup, { title: 'Benchmark song', bpm: 112 });
  const tracks = ROLES.map((role) => edits.addTrack(setup, { role }));
  for (const trackId of tracks)
    for (let bar = 0; bar < 64; bar += 4) clips.push(edits.addClip(setup, { trackId, startBar: bar, lengthBars: 4 }));
  const barTicks = ticksPerBar(readMeta(setup).meter);
  let produced = 0;
  while (produced < count) {
    while (pending.length && produced < count) {
      yield pending.shift()!;
      produced++;
    }
    if (produced >= count) break;
    const doc = pick(docs);
    const clipId = pick(clips);
    const notes = [...clipNoteMap(doc, clipId).keys()];
    const r = random();
    const note = () => ({
      pitch: 36 + Math.floor(random() * 48),
      tick: Math.floor(random() * 64) * (barTicks / 16),
      duration: (1 + Math.floor(random() * 8)) * (barTicks / 16),
      velocity: 40 + Math.floor(random() * 87),
    });
    // Clips fill up to about 24 notes (6 a bar) and then get reworked rather than grow forever,
    // so the song stays the size of a real arrangement (~3,000 notes) however long the session.
    const full = notes.length >= 24;
    if (notes.length < 4 || (!full && r < 0.35)) edits.addNotes(doc, clipId, Array.from({ length: 1 + Math.floor(random() * 3) }, note));
    else if (full && r < 0.35) edits.deleteNotes(doc, clipId, [pick(notes)]);
    else if (r < 0.65) {
      // A drag by a 16th, left or right (whichever stays in the clip), sometimes a semitone too.
      const noteId = pick(notes);
      const { tick, pitch } = clipNoteMap(doc, clipId).get(noteId)!;
      const step = barTicks / 16;
      const ticks = tick + step < barTicks * 4 ? step : -step;
      const semitones = random() < 0.5 ? 0 : pitch < 100 ? 1 : -1;
      edits.moveNotes(doc, clipId, [noteId], { ticks, semitones });
    } else if (r < 0.8) edits.updateNotes(doc, clipId, [{ id: pick(notes), velocity: 1 + Math.floor(random() * 127) }]);
    else if (r < 0.95) edits.deleteNotes(doc, clipId, [pick(notes)]);
    else if (r < 0.97)
      edits.setChords(doc, 0, barTicks * 4, [{ tick: 0, duration: barTicks * 4, symbol: pick(['Am7', 'Dm7', 'G7', 'Cmaj7']) }]);
    else if (r < 0.99) edits.setTempo(doc, 90 + Math.floor(random() * 60));
    else edits.updateTrack(doc, pick(tracks), { volumeDb: -Math.floor(random() * 12) });
  }
}

function clipNoteMap(doc: Y.Doc, clipId: string) {
  return clipNotes(clipsMap(doc).get(clipId)!);
}
