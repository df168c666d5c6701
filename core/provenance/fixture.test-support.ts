/**
 * A song for the provenance tests: in 4/4, a drum clip a person wrote on Ana's track (bars 1–2),
 * a bass clip the model wrote and nobody changed (bars 1–2), a keys clip the model wrote and a
 * person then edited (one note moved, one deleted; bars 3–4), a lead clip the model wrote before
 * edits were recorded (bar 3), and an imported clip (bar 4).
 */
import type { Clip, NoteInput, Provenance, Song, Track } from '../song/types.ts';
import { withGeneratedNotes } from './generated-notes.ts';

const BAR = 1920;
const n = (tick: number, pitch: number, velocity = 100): NoteInput => ({ tick, pitch, duration: 240, velocity });
const withIds = (notes: NoteInput[], clip: string) => notes.map((x, i) => ({ ...x, id: `${clip}-${i}` }));

const track = (id: string, role: Track['role'], owner: string | null = null): Track => ({
  id,
  name: id[0]!.toUpperCase() + id.slice(1),
  role,
  instrument: 'default',
  volumeDb: 0,
  pan: 0,
  mute: false,
  solo: false,
  order: ['drums', 'bass', 'keys', 'lead', 'other'].indexOf(id),
  owner,
  ownerId: owner ? `id-${owner}` : null,
});

export function generatorDetail(seed: number): Record<string, unknown> {
  return {
    format: 'riffroom-generator/1',
    model: { id: 'dev-v1', sha256: 'ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12' },
    engine: 'riffroom-engine/1',
    task: 'generate',
    role: 'bass',
    conditions: {
      style: 'funk',
      key: { tonic: 4, mode: 'minor' },
      meter: { numerator: 4, denominator: 4 },
      bpm: 100,
      energy: 2,
      bars: 2,
      mode: 'free',
      scaleLock: true,
      chords: false,
      locks: 0,
    },
    seed,
    sampling: { temperature: 1, topK: 0, topP: 0.95 },
    provider: 'cpu',
    requestedBy: 'alice',
    requestedAt: '2026-12-01T20:15:00.000Z',
    request: { task: 'generate', seed, variations: 3 },
    take: { variation: 1, fromBar: 0, bars: 2 },
  };
}

const model = (seed: number, kept: NoteInput[] | null): Provenance => {
  const p: Provenance = { source: 'model', detail: generatorDetail(seed) };
  return kept ? withGeneratedNotes(p, kept)! : p;
};

export function provenanceSong(): Song {
  const drums = [n(0, 36), n(480, 42), n(960, 38), n(BAR, 36)];
  const bass = [n(0, 40), n(480, 43), n(960, 45), n(BAR + 480, 47)];
  const keysKept = [n(0, 60), n(0, 64), n(960, 62), n(BAR, 65)];
  // A person moved the third note up a tone and deleted the fourth.
  const keysNow = [n(0, 60), n(0, 64), n(960, 64)];
  const lead = [n(0, 72), n(240, 74)];
  const imported = [n(0, 50)];
  const clip = (
    id: string,
    trackId: string,
    startBar: number,
    lengthBars: number,
    notes: NoteInput[],
    provenance: Provenance | null,
  ): Clip => ({
    id,
    trackId,
    name: `${trackId} part`,
    startBar,
    lengthBars,
    locked: false,
    provenance,
    notes: withIds(notes, id),
  });
  return {
    meta: {
      title: 'Night Drive',
      bpm: 100,
      meter: { numerator: 4, denominator: 4 },
      key: { tonic: 4, mode: 'minor' },
      swing: 0,
      loop: null,
    },
    tracks: [track('drums', 'drums', 'Ana'), track('bass', 'bass'), track('keys', 'keys'), track('lead', 'lead'), track('other', 'other')],
    clips: [
      clip('c-drums', 'drums', 0, 2, drums, null),
      clip('c-bass', 'bass', 0, 2, bass, model(1234, bass)),
      clip('c-keys', 'keys', 2, 2, keysNow, model(99, keysKept)),
      clip('c-lead', 'lead', 2, 1, lead, model(7, null)),
      clip('c-other', 'other', 3, 1, imported, { source: 'import', detail: { format: 'midi', fileName: 'riff.mid' } }),
    ],
    chords: [],
    bookmarks: [],
  };
}
