/**
 * Whether a person changed a generated clip after it was kept. The song keeps no per-note author
 * and the history's labels ("moved 3 notes") do not name the clip they touched, so the clip itself
 * remembers the notes the model wrote: when a take is kept (renderer/generator/keep-take.ts) its
 * provenance detail gets `generatedNotes`, the notes' identities (place, pitch, length, loudness)
 * as one sorted string. At export each note still there is "as generated"; any other note in the
 * clip (added, moved, lengthened, made louder) and any generated note gone make it "edited".
 *
 * Clips kept before this existed have no list: whether they were edited is unknown (null), never
 * guessed.
 */
import type { NoteInput, Provenance } from '../song/types.ts';

/** Where the list of generated notes sits in a model clip's provenance detail. */
export const GENERATED_NOTES_KEY = 'generatedNotes';

/** A note's identity for comparing takes: where, what, how long, how loud. */
export const noteKey = (n: NoteInput): string => `${n.tick}:${n.pitch}:${n.duration}:${n.velocity}`;

/** The notes as one sorted string (the order of the clip's notes is not part of its identity). */
export function notesFingerprint(notes: readonly NoteInput[]): string {
  return notes.map(noteKey).sort().join(' ');
}

export const sameNotes = (a: readonly NoteInput[], b: readonly NoteInput[]): boolean => notesFingerprint(a) === notesFingerprint(b);

/** The provenance with the notes the model wrote recorded in it (a copy; null stays null). */
export function withGeneratedNotes(provenance: Provenance | null, notes: readonly NoteInput[]): Provenance | null {
  if (provenance?.source !== 'model') return provenance;
  return { ...provenance, detail: { ...provenance.detail, [GENERATED_NOTES_KEY]: notesFingerprint(notes) } };
}

export interface GeneratedNoteCheck {
  /** Notes in the clip that are the model's, unchanged. */
  asGenerated: number;
  /** Notes in the clip that a person added or changed. */
  changed: number;
  /** Whether a person edited the clip since it was kept: changed notes or generated notes removed; null when the clip has no list. */
  edited: boolean | null;
}

/**
 * Compares a model clip's notes with the notes it was kept with. `notes` are those that sound (the
 * caller drops the ones past the clip's end); `audible` says which of the recorded ones would.
 */
export function checkGeneratedNotes(
  provenance: Provenance | null,
  notes: readonly NoteInput[],
  audible: (n: NoteInput) => boolean,
): GeneratedNoteCheck {
  const recorded = provenance?.detail?.[GENERATED_NOTES_KEY];
  if (typeof recorded !== 'string') return { asGenerated: 0, changed: notes.length, edited: null };
  // A multiset: two identical notes written by the model are two notes.
  const left = new Map<string, number>();
  for (const key of recorded ? recorded.split(' ') : []) {
    const note = parseNoteKey(key);
    if (note && audible(note)) left.set(key, (left.get(key) ?? 0) + 1);
  }
  let asGenerated = 0;
  for (const n of notes) {
    const key = noteKey(n);
    const count = left.get(key) ?? 0;
    if (count > 0) {
      asGenerated++;
      left.set(key, count - 1);
    }
  }
  const missing = [...left.values()].reduce((a, b) => a + b, 0);
  const changed = notes.length - asGenerated;
  return { asGenerated, changed, edited: changed > 0 || missing > 0 };
}

function parseNoteKey(key: string): NoteInput | null {
  const [tick, pitch, duration, velocity] = key.split(':').map(Number);
  if (![tick, pitch, duration, velocity].every((v) => Number.isFinite(v))) return null;
  return { tick: tick!, pitch: pitch!, duration: duration!, velocity: velocity! };
}
